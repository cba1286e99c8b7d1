/*
 * args.c — see args.h.
 *
 * Each registered option keeps one list of occurrences per source: the config
 * top level, each config section, and the command line. An occurrence is a
 * copied value string, or NULL for a negation of a non-bool (bools store
 * their normalised value "0"/"1" instead). Values are validated when they are
 * recorded, so a getter never meets a bad value and never fails; getters
 * resolve by walking top level → selected section → command line. Keeping
 * every occurrence (instead of overwriting) is what lets lists and "last one
 * wins" share one representation.
 */
#include "util/args.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/fs.h"

struct slot {
    char **vals;        /* NULL entry = negation */
    size_t n, cap;
};

struct opt {
    const struct arg_def *def;
    bool foreign;        /* config file only, not listed (args_register_foreign) */
    struct slot *slots;  /* [0] config top, [1..nsec] sections, [nsec+1] cmdline */
};

struct args {
    const char *sections[ARGS_SECTIONS_MAX];
    size_t nsec;
    int selected;        /* section index or -1 */
    bool ignore_unknown; /* skip unknown config keys */
    struct opt *opts;
    size_t nopts, cap;
};

/* ---- small helpers ------------------------------------------------------ */

/* Copies up to 64 bytes of s (n bytes) into dst for an error message,
 * replacing non-printable bytes with '?'. */
static const char *printable(char *dst, size_t cap, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < cap && i < 64; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (n > 64 && k + 4 < cap) {
        memcpy(dst + k, "...", 3);
        k += 3;
    }
    dst[k] = 0;
    return dst;
}

static size_t slot_count(const struct args *a) { return a->nsec + 2; }
static size_t cmdline_slot(const struct args *a) { return a->nsec + 1; }

static struct opt *find_n(const struct args *a, const char *name, size_t n)
{
    if (n == 0 || n > ARGS_NAME_MAX)
        return NULL;
    for (size_t i = 0; i < a->nopts; i++) {
        const char *d = a->opts[i].def->name;
        if (strlen(d) == n && !memcmp(d, name, n))
            return &a->opts[i];
    }
    return NULL;
}

static struct opt *find(const struct args *a, const char *name)
{
    return find_n(a, name, strlen(name));
}

/* Parses a strict decimal integer (optional '-', digits only). */
static bool parse_ll(const char *s, long long *out)
{
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    if (!*s)
        return false;
    unsigned long long v = 0;
    const unsigned long long lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (lim - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    else
        *out = (long long)v;
    return true;
}

/* Strict boolean: 1/0/true/false. */
static bool parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "1") || !strcmp(s, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(s, "0") || !strcmp(s, "false")) {
        *out = false;
        return true;
    }
    return false;
}

static int slot_push(struct slot *s, char *v)
{
    if (s->n == ARGS_VALUES_MAX) {
        free(v);
        return err_set(ERR_RANGE, "too many values (at most %d)", ARGS_VALUES_MAX);
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 4;
        char **nv = realloc(s->vals, nc * sizeof *nv);
        if (!nv) {
            free(v);
            return err_set(ERR_NOMEM, "out of memory");
        }
        s->vals = nv;
        s->cap = nc;
    }
    s->vals[s->n++] = v;
    return 0;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/*
 * Validates one occurrence and records it in slot `si`.
 * negated: the word was "noNAME"; value/vlen: the text after '=' or NULL when
 * there was none. On error the context holds a reason without the option's
 * name (the caller adds it, in the right form for its source).
 */
static int record(struct args *a, struct opt *o, size_t si, bool negated,
                  const char *value, size_t vlen)
{
    const struct arg_def *d = o->def;
    char buf[96];

    if (value) {
        if (vlen > ARGS_VALUE_MAX)
            return err_set(ERR_RANGE, "value is longer than %d bytes", ARGS_VALUE_MAX);
        if (memchr(value, 0, vlen))
            return err_set(ERR_INVAL, "value contains a NUL byte");
    }

    /* Checked before the value is looked at, so "-norpcpassword=<secret>"
     * is refused without echoing the secret. */
    if (negated && d->type != ARG_BOOL && d->type != ARG_LIST && !(d->flags & ARG_NEGATABLE))
        return err_set(ERR_INVAL, "cannot be negated");

    /* -noname=value: the value says whether the negation holds. */
    if (negated && value) {
        char *tmp = dup_n(value, vlen);
        if (!tmp)
            return err_set(ERR_NOMEM, "out of memory");
        bool b;
        bool ok = parse_bool(tmp, &b);
        free(tmp);
        if (!ok)
            return err_set(ERR_INVAL, "'%s' is not 0 or 1",
                           printable(buf, sizeof buf, value, vlen));
        value = NULL;
        vlen = 0;
        negated = b;
    }

    if (d->type == ARG_BOOL) {
        bool b = !negated;
        if (value) {
            char *tmp = dup_n(value, vlen);
            if (!tmp)
                return err_set(ERR_NOMEM, "out of memory");
            bool ok = parse_bool(tmp, &b);
            free(tmp);
            if (!ok)
                return err_set(ERR_INVAL, "'%s' is not 0, 1, true or false",
                               printable(buf, sizeof buf, value, vlen));
        }
        char *v = dup_n(b ? "1" : "0", 1);
        if (!v)
            return err_set(ERR_NOMEM, "out of memory");
        return slot_push(&o->slots[si], v);
    }

    if (negated)
        return slot_push(&o->slots[si], NULL);

    if (!value) {
        if (!d->implicit)
            return err_set(ERR_INVAL, "needs a value (%s=%s)", d->name,
                           d->value_name ? d->value_name : "<value>");
        value = d->implicit;
        vlen = strlen(value);
    }

    if (d->type == ARG_INT) {
        char *tmp = dup_n(value, vlen);
        if (!tmp)
            return err_set(ERR_NOMEM, "out of memory");
        long long v;
        bool ok = parse_ll(tmp, &v) && v >= d->min && v <= d->max;
        if (!ok) {
            free(tmp);
            return err_set(ERR_INVAL, "'%s' is not an integer from %lld to %lld",
                           printable(buf, sizeof buf, value, vlen), d->min, d->max);
        }
        return slot_push(&o->slots[si], tmp);
    }

    char *v = dup_n(value, vlen);
    if (!v)
        return err_set(ERR_NOMEM, "out of memory");
    return slot_push(&o->slots[si], v);
}

/* ---- life cycle ---------------------------------------------------------- */

int args_new(const char *const *sections, size_t n, struct args **out)
{
    *out = NULL;
    if (n > ARGS_SECTIONS_MAX)
        return err_set(ERR_RANGE, "%zu config sections (at most %d)", n, ARGS_SECTIONS_MAX);
    struct args *a = calloc(1, sizeof *a);
    if (!a)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        a->sections[i] = sections[i];
    a->nsec = n;
    a->selected = -1;
    *out = a;
    return 0;
}

void args_free(struct args *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nopts; i++) {
        for (size_t s = 0; s < slot_count(a); s++) {
            struct slot *sl = &a->opts[i].slots[s];
            for (size_t k = 0; k < sl->n; k++)
                free(sl->vals[k]);
            free(sl->vals);
        }
        free(a->opts[i].slots);
    }
    free(a->opts);
    free(a);
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > ARGS_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '?' || c == '_'))
            return false;
    }
    return true;
}

/* True when `name` and an existing option would make "-noX" ambiguous. */
static bool shadows(const struct args *a, const char *name)
{
    if (!strncmp(name, "no", 2) && find(a, name + 2))
        return true;
    for (size_t i = 0; i < a->nopts; i++) {
        const char *d = a->opts[i].def->name;
        if (!strncmp(d, "no", 2) && !strcmp(d + 2, name))
            return true;
    }
    return false;
}

static int register_table(struct args *a, const struct arg_def *defs, size_t n, bool foreign)
{
    size_t start = a->nopts;
    if (n > ARGS_OPTIONS_MAX - a->nopts)
        return err_set(ERR_RANGE, "more than %d options", ARGS_OPTIONS_MAX);
    if (a->nopts + n > a->cap) {
        size_t nc = a->nopts + n;
        struct opt *no = realloc(a->opts, nc * sizeof *no);
        if (!no)
            return err_set(ERR_NOMEM, "out of memory");
        a->opts = no;
        a->cap = nc;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const struct arg_def *d = &defs[i];
        if (!d->name || !name_ok(d->name)) {
            rc = err_set(ERR_INVAL, "bad option name in table");
            break;
        }
        if (foreign && find(a, d->name))
            continue;
        if (find(a, d->name) || shadows(a, d->name)) {
            rc = err_set(ERR_INVAL, "option -%s registered twice or shadowed", d->name);
            break;
        }
        if (d->type == ARG_INT && d->min > d->max) {
            rc = err_set(ERR_INVAL, "option -%s has min > max", d->name);
            break;
        }
        struct slot *sl = calloc(slot_count(a), sizeof *sl);
        if (!sl) {
            rc = err_set(ERR_NOMEM, "out of memory");
            break;
        }
        a->opts[a->nopts].def = d;
        a->opts[a->nopts].foreign = foreign;
        a->opts[a->nopts].slots = sl;
        a->nopts++;
    }
    if (rc) {
        while (a->nopts > start)
            free(a->opts[--a->nopts].slots);
    }
    return rc;
}

int args_register(struct args *a, const struct arg_def *defs, size_t n)
{
    return register_table(a, defs, n, false);
}

int args_register_foreign(struct args *a, const struct arg_def *defs, size_t n)
{
    return register_table(a, defs, n, true);
}

void args_ignore_unknown_config(struct args *a, bool on)
{
    a->ignore_unknown = on;
}

/* ---- command line -------------------------------------------------------- */

int args_parse_cmdline(struct args *a, int argc, char *const *argv, int *next)
{
    char buf[96];
    int i;
    for (i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (w[0] != '-' || w[1] == 0)
            break;                  /* positional ("-" alone counts as one) */
        if (!strcmp(w, "--")) {
            i++;
            break;
        }
        const char *name = w + 1;
        if (*name == '-')
            name++;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        bool negated = false;
        struct opt *o = find_n(a, name, nlen);
        if (!o && nlen > 2 && !strncmp(name, "no", 2)) {
            o = find_n(a, name + 2, nlen - 2);
            negated = o != NULL;
        }
        if (!o || o->foreign) {
            *next = i;
            return err_set(ERR_INVAL, "unknown option -%s", printable(buf, sizeof buf, name, nlen));
        }
        const char *value = eq ? eq + 1 : NULL;
        int rc = record(a, o, cmdline_slot(a), negated, value, value ? strlen(value) : 0);
        if (rc) {
            *next = i;
            return err_wrap(rc, "option -%s", o->def->name);
        }
    }
    *next = i;
    return 0;
}

/* ---- config file --------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trims [*s, *s + *n) in place. */
static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Parses one line (no newline). *section is the current section slot. */
static int config_line(struct args *a, const char *name, unsigned long lineno,
                       const char *s, size_t n, size_t *section)
{
    char buf[96];
    if (memchr(s, 0, n))
        return err_set(ERR_INVAL, "%s:%lu: NUL byte in line", name, lineno);
    const char *hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    trim(&s, &n);
    if (n == 0)
        return 0;

    if (s[0] == '[') {
        if (s[n - 1] != ']')
            return err_set(ERR_INVAL, "%s:%lu: malformed section header", name, lineno);
        const char *sec = s + 1;
        size_t sn = n - 2;
        trim(&sec, &sn);
        for (size_t i = 0; i < a->nsec; i++) {
            if (strlen(a->sections[i]) == sn && !memcmp(a->sections[i], sec, sn)) {
                *section = i + 1;
                return 0;
            }
        }
        return err_set(ERR_INVAL, "%s:%lu: unknown section [%s]", name, lineno,
                       printable(buf, sizeof buf, sec, sn));
    }

    const char *eq = memchr(s, '=', n);
    if (!eq)
        return err_set(ERR_INVAL, "%s:%lu: expected option=value, got '%s'", name, lineno,
                       printable(buf, sizeof buf, s, n));
    const char *key = s;
    size_t klen = (size_t)(eq - s);
    trim(&key, &klen);
    const char *val = eq + 1;
    size_t vlen = (size_t)(s + n - val);
    trim(&val, &vlen);
    if (klen == 0)
        return err_set(ERR_INVAL, "%s:%lu: missing option name before '='", name, lineno);
    if (key[0] == '-')
        return err_set(ERR_INVAL, "%s:%lu: option '%s' written with a '-' (leave it out in %s)",
                       name, lineno, printable(buf, sizeof buf, key, klen), name);

    bool negated = false;
    struct opt *o = find_n(a, key, klen);
    if (!o && klen > 2 && !memcmp(key, "no", 2)) {
        o = find_n(a, key + 2, klen - 2);
        negated = o != NULL;
    }
    if (!o && a->ignore_unknown)
        return 0;
    if (!o)
        return err_set(ERR_INVAL, "%s:%lu: unknown option '%s'", name, lineno,
                       printable(buf, sizeof buf, key, klen));
    if (o->def->flags & ARG_CMDLINE_ONLY)
        return err_set(ERR_INVAL, "%s:%lu: option '%s' can only be given on the command line",
                       name, lineno, o->def->name);
    if (*section && (o->def->flags & ARG_NO_SECTION))
        return err_set(ERR_INVAL, "%s:%lu: option '%s' cannot be set inside [%s]",
                       name, lineno, o->def->name, a->sections[*section - 1]);
    int rc = record(a, o, *section, negated, val, vlen);
    if (rc) {
        char why[256];
        snprintf(why, sizeof why, "%s", err_msg());
        return err_set(rc, "%s:%lu: option '%s': %s", name, lineno, o->def->name, why);
    }
    return 0;
}

int args_parse_config(struct args *a, const char *text, size_t len, const char *name)
{
    if (len > ARGS_CONFIG_MAX)
        return err_set(ERR_RANGE, "%s: larger than %u bytes", name, ARGS_CONFIG_MAX);
    size_t section = 0;
    unsigned long lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        lineno++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        if (n > ARGS_LINE_MAX)
            return err_set(ERR_RANGE, "%s:%lu: line longer than %d bytes", name, lineno, ARGS_LINE_MAX);
        int rc = config_line(a, name, lineno, text + pos, n, &section);
        if (rc)
            return rc;
        pos = end + 1;
    }
    return 0;
}

int args_read_config_file(struct args *a, const char *path, bool must_exist)
{
    char *buf;
    size_t len;
    int rc = fs_read_file(path, ARGS_CONFIG_MAX, &buf, &len);
    if (rc == ERR_NOTFOUND && !must_exist)
        return 0;
    if (rc == ERR_NOTFOUND)
        return err_set(rc, "config file %s not found", path);
    if (rc)
        return err_wrap(rc, "config file");
    rc = args_parse_config(a, buf, len, path);
    free(buf);
    return rc;
}

int args_select_section(struct args *a, const char *section)
{
    if (!section) {
        a->selected = -1;
        return 0;
    }
    for (size_t i = 0; i < a->nsec; i++) {
        if (!strcmp(a->sections[i], section)) {
            a->selected = (int)i + 1;
            return 0;
        }
    }
    return err_set(ERR_INVAL, "unknown config section '%.64s'", section);
}

/* ---- getters ------------------------------------------------------------- */

/* The slots a getter reads, in resolution order; returns how many (2 or 3). */
static size_t resolve_slots(const struct args *a, const struct opt *o, const struct slot **out)
{
    size_t n = 0;
    out[n++] = &o->slots[0];
    if (a->selected > 0)
        out[n++] = &o->slots[a->selected];
    out[n++] = &o->slots[cmdline_slot(a)];
    return n;
}

/* Returns the winning occurrence; *found is false when the option is unset. */
static const char *last_occ(const struct args *a, const char *name, bool *found)
{
    *found = false;
    const struct opt *o = find(a, name);
    if (!o)
        return NULL;
    const struct slot *sl[3];
    const char *last = NULL;
    for (size_t k = resolve_slots(a, o, sl); k-- > 0;) {
        if (sl[k]->n) {
            *found = true;
            last = sl[k]->vals[sl[k]->n - 1];
            break;
        }
    }
    return last;
}

bool args_is_set(const struct args *a, const char *name)
{
    bool found;
    last_occ(a, name, &found);
    return found;
}

bool args_on_cmdline(const struct args *a, const char *name)
{
    const struct opt *o = find(a, name);
    return o && o->slots[cmdline_slot(a)].n > 0;
}

bool args_is_negated(const struct args *a, const char *name)
{
    bool found;
    const char *v = last_occ(a, name, &found);
    if (!found)
        return false;
    const struct opt *o = find(a, name);
    if (o->def->type == ARG_BOOL)
        return !strcmp(v, "0");
    return v == NULL;
}

bool args_get_bool(const struct args *a, const char *name, bool def)
{
    bool found;
    const char *v = last_occ(a, name, &found);
    if (!found)
        return def;
    return v && !strcmp(v, "1");
}

long long args_get_int(const struct args *a, const char *name, long long def)
{
    bool found;
    const char *v = last_occ(a, name, &found);
    if (!found)
        return def;
    long long r = 0;
    if (v && !parse_ll(v, &r))
        r = 0;
    return r;
}

const char *args_get_str(const struct args *a, const char *name, const char *def)
{
    bool found;
    const char *v = last_occ(a, name, &found);
    return found ? v : def;
}

size_t args_get_list(const struct args *a, const char *name, const char **out, size_t cap)
{
    const struct opt *o = find(a, name);
    if (!o)
        return 0;
    const struct slot *sl[3];
    size_t ns = resolve_slots(a, o, sl);
    size_t n = 0;
    for (size_t k = 0; k < ns; k++) {
        for (size_t i = 0; i < sl[k]->n; i++) {
            const char *v = sl[k]->vals[i];
            if (!v) {
                n = 0;          /* a negation drops what came before */
                continue;
            }
            if (n < cap)
                out[n] = v;
            n++;
        }
    }
    return n;
}

/* ---- help ---------------------------------------------------------------- */

static const char *const category_titles[ARGCAT_COUNT] = {
    [ARGCAT_GENERAL] = "Options",
    [ARGCAT_CHAIN] = "Chain selection options",
    [ARGCAT_CONNECTION] = "Connection options",
    [ARGCAT_RPC] = "RPC server options",
    [ARGCAT_RPC_CLIENT] = "RPC client options",
    [ARGCAT_WALLET] = "Wallet options",
    [ARGCAT_MINING] = "Block production options",
    [ARGCAT_DEBUG] = "Debugging/Testing options",
    [ARGCAT_HIDDEN] = "Hidden options",
};

/* Prints text wrapped to 79 columns, every line indented by 7 spaces.
 * '\x01' is a space that does not break (used inside "(default: ...)"). */
static void print_wrapped(FILE *f, const char *text)
{
    const int indent = 7, width = 79;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        int room = width - indent;
        size_t len = strlen(p);
        size_t take = len;
        if (len > (size_t)room) {
            take = (size_t)room;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)          /* one long word: cut it */
                take = (size_t)room;
        }
        fprintf(f, "%*s", indent, "");
        for (size_t i = 0; i < take; i++)
            fputc(p[i] == '\x01' ? ' ' : p[i], f);
        fputc('\n', f);
        p += take;
    }
}

static int cmp_def(const void *x, const void *y)
{
    const struct arg_def *a = *(const struct arg_def *const *)x;
    const struct arg_def *b = *(const struct arg_def *const *)y;
    return strcmp(a->name, b->name);
}

void args_print_help(const struct args *a, FILE *f)
{
    const struct arg_def **defs = malloc((a->nopts ? a->nopts : 1) * sizeof *defs);
    if (!defs)
        return;
    for (int c = 0; c < ARGCAT_HIDDEN; c++) {
        size_t n = 0;
        for (size_t i = 0; i < a->nopts; i++)
            if (a->opts[i].def->category == (enum arg_category)c && !a->opts[i].foreign)
                defs[n++] = a->opts[i].def;
        if (!n)
            continue;
        qsort(defs, n, sizeof *defs, cmp_def);
        fprintf(f, "%s:\n\n", category_titles[c]);
        for (size_t i = 0; i < n; i++) {
            const struct arg_def *d = defs[i];
            if (d->type == ARG_BOOL || !d->value_name)
                fprintf(f, "  -%s\n", d->name);
            else if (d->implicit)
                fprintf(f, "  -%s[=%s]\n", d->name, d->value_name);
            else
                fprintf(f, "  -%s=%s\n", d->name, d->value_name);
            char text[2048];
            int len = snprintf(text, sizeof text, "%s", d->help ? d->help : "");
            if (d->def && len >= 0 && (size_t)len < sizeof text) {
                size_t at = (size_t)len;
                snprintf(text + at, sizeof text - at, " (default: %s)", d->def);
                for (char *q = text + at + 2; *q; q++)
                    if (*q == ' ')
                        *q = '\x01';
            }
            print_wrapped(f, text);
            fputc('\n', f);
        }
    }
    free(defs);
}
