/*
 * chainsetup.c — see chainsetup.h.
 */
#include "config.h"

#include "node/chainsetup.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshbox/service.h"
#include "util/args.h"
#include "util/err.h"
#include "util/fs.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* Longest -blocktime: one day. */
#define BLOCKTIME_MAX 86400

static const struct arg_def chain_args[] = {
    {.name = "automine", .type = ARG_BOOL, .category = ARGCAT_MINING, .def = "1 on regtest",
     .help = "Regtest: produce a block right after each transaction the pool accepts, before "
             "the sender gets its answer (as Hardhat does). -automine=0 leaves transactions in "
             "the pool until `generate` or -blocktime. Ignored on other networks."},
    {.name = "blocktime", .type = ARG_INT, .category = ARGCAT_MINING, .value_name = "<n>",
     .def = "0", .min = 0, .max = BLOCKTIME_MAX,
     .help = "Regtest: also produce a block every <n> seconds, with whatever the pool holds "
             "(0: off). Refused on other networks, where the Tribe schedule sets the pace."},
    {.name = "mine", .type = ARG_BOOL, .category = ARGCAT_MINING, .def = "1",
     .help = "Mainnet, testnet, devnet: produce blocks whenever the node key is allowed to sign "
             "the next one (a signer of the chief contract, or a leader standing in; see "
             "doc/running.md), at the earliest time the rules allow. -mine=0 only follows the "
             "chain. Ignored on regtest (blocks come from generate, -automine, -blocktime)."},
    {.name = "meshbox", .type = ARG_BOOL, .category = ARGCAT_MINING, .def = "1",
     .help = "On a chain with MeshBox weighting (regtest): keep the MeshBox receipt book "
             "(<netdir>/meshbox/), take clients' service receipts (meshbox_submitReceipt) and "
             "report them to the registry from the node key, which pays the gas "
             "(doc/meshbox.md). -meshbox=0: no book, no reports."},
    {.name = "meshboxkeep", .type = ARG_INT, .category = ARGCAT_MINING, .value_name = "<n>",
     .def = "1000", .min = 0, .max = 1000000000,
     .help = "With -meshbox: the receipt book keeps the receipts of the last <n> MeshBox "
             "epochs and deletes older ones, whose reporting window closed long ago (0: keep "
             "them all; else at least 3, the epochs still reported)."},
    {.name = "nodekey", .type = ARG_STRING, .category = ARGCAT_MINING, .value_name = "<file>",
     .def = "nodekey",
     .help = "The node key (64 hex digits): it signs the blocks this node produces and names it "
             "to peers. A relative path is inside the network's data directory; the file is "
             "created (mode 0600, a new random key) on first start. Regtest uses the "
             "documented regtest node key (doc/regtest.md) unless this option is given: a "
             "MeshBox or a channel hub of its own needs its own key."},
    {.name = "regtestforks", .type = ARG_STRING, .category = ARGCAT_CHAIN,
     .value_name = "<name:height,...>",
     .help = "Regtest: activate forks at these heights instead of block 0, to test a chain that "
             "crosses them. Names: sip001, sip002, sip003, sip004, chief100 (before chief100, "
             "the genesis TribeChief runs under the chief 0.0.7 rules). Example: "
             "-regtestforks=chief100:6,sip002:3,sip003:9,sip004:12. Use the same value on every "
             "start of a data directory."},
};

int node_register_chain(struct args *a, bool foreign)
{
    return foreign ? args_register_foreign(a, chain_args, COUNT(chain_args))
                   : args_register(a, chain_args, COUNT(chain_args));
}

int node_mining_options(const struct args *a, enum chain_network net, struct node_mining *out)
{
    bool regtest = net == CHAIN_REGTEST;
    out->automine = regtest && args_get_bool(a, "automine", true);
    long long bt = args_get_int(a, "blocktime", 0);
    if (bt && !regtest)
        return err_set(ERR_INVAL, "-blocktime is for -regtest only (on other networks the Tribe "
                                  "schedule sets the block times)");
    out->blocktime = (uint64_t)bt;
    out->mine = args_get_bool(a, "mine", true);
    out->meshbox = args_get_bool(a, "meshbox", true);
    long long keep = args_get_int(a, "meshboxkeep", MB_KEEP_EPOCHS_DEFAULT);
    if (keep > 0 && keep < MB_KEEP_EPOCHS_MIN)
        return err_set(ERR_INVAL, "-meshboxkeep=%lld: 0 (keep every epoch) or at least %u (the "
                                  "epochs still reported)", keep, MB_KEEP_EPOCHS_MIN);
    out->meshbox_keep = (uint64_t)keep;
    return 0;
}

/* ---- -regtestforks ---------------------------------------------------------- */

static const char *const fork_names[] = {"sip001", "sip002", "sip003", "sip004", "chief100"};

static uint64_t *fork_field(struct chain_params *p, size_t i)
{
    switch (i) {
    case 0: return &p->sip001_block;
    case 1: return &p->sip002_block;
    case 2: return &p->sip003_block;
    case 3: return &p->sip004_block;
    default: return &p->chief100_block;
    }
}

/* Decimal, no sign, no spaces, below CHAIN_NEVER. */
static int parse_height(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 19)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return v == CHAIN_NEVER ? -1 : 0;
}

int node_apply_regtestforks(struct chain_params *p, const char *spec)
{
    if (!spec || !*spec)
        return err_set(ERR_INVAL, "-regtestforks is empty (want name:height,...)");
    bool seen[COUNT(fork_names)] = {false};
    const char *s = spec;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        const char *colon = memchr(s, ':', len);
        if (!colon)
            return err_set(ERR_INVAL, "-regtestforks: '%.*s' is not name:height", (int)(len > 40 ? 40 : len), s);
        size_t nlen = (size_t)(colon - s);
        size_t i = 0;
        while (i < COUNT(fork_names) &&
               !(strlen(fork_names[i]) == nlen && !memcmp(fork_names[i], s, nlen)))
            i++;
        if (i == COUNT(fork_names))
            return err_set(ERR_INVAL, "-regtestforks: unknown fork '%.*s' (known: sip001, sip002, "
                           "sip003, sip004, chief100)", (int)(nlen > 32 ? 32 : nlen), s);
        if (seen[i])
            return err_set(ERR_INVAL, "-regtestforks: %s is named twice", fork_names[i]);
        seen[i] = true;
        uint64_t h;
        if (parse_height(colon + 1, len - nlen - 1, &h))
            return err_set(ERR_INVAL, "-regtestforks: the height of %s is not a decimal block "
                           "number", fork_names[i]);
        *fork_field(p, i) = h;
        if (!comma)
            break;
        s = comma + 1;
    }
    if (seen[4]) {
        /* The genesis TribeChief serves both eras at one address. */
        struct chief_info c1 = p->chiefs[p->nchiefs - 1];
        c1.start = p->chief100_block;
        c1.version = CHIEF_V1_0_0;
        if (p->chief100_block == 0) {
            p->chiefs[0] = c1;
            p->nchiefs = 1;
        } else {
            p->chiefs[0].start = 0;
            p->chiefs[0].version = CHIEF_V0_0_7;
            p->chiefs[1] = c1;
            p->nchiefs = 2;
        }
    }
    int rc = chain_params_check(p);
    return rc ? err_wrap(rc, "-regtestforks") : 0;
}

int node_chain_params(const struct args *a, enum chain_network net, struct chain_params *out)
{
    const struct chain_params *base = chain_params_get(net);
    if (!base)
        return err_set(ERR_INVAL, "no chain parameters for this network");
    *out = *base;
    const char *spec = args_get_str(a, "regtestforks", NULL);
    if (!spec)
        return 0;
    if (net != CHAIN_REGTEST)
        return err_set(ERR_INVAL, "-regtestforks is for -regtest only");
    return node_apply_regtestforks(out, spec);
}

/* ---- share/ -------------------------------------------------------------------- */

#ifndef SPECTRUM_SRCDIR
#define SPECTRUM_SRCDIR ""
#endif
#ifndef SPECTRUM_BUILDDIR
#define SPECTRUM_BUILDDIR ""
#endif
#ifndef SPECTRUM_PKGDATADIR
#define SPECTRUM_PKGDATADIR ""
#endif

/* The directory of the running program ("" when unknown). */
static void exe_dir(char *out, size_t cap)
{
    out[0] = 0;
    char buf[FS_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0 || (size_t)n >= cap)
        return;
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (!slash)
        return;
    *slash = 0;
    snprintf(out, cap, "%s", buf);
}

/* True when `dir` names the same directory as `other`. */
static bool same_dir(const char *dir, const char *other)
{
    struct stat a, b;
    return *dir && *other && stat(dir, &a) == 0 && stat(other, &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Tries <base>/<sub>/<name>; returns 0 when it is a readable file. */
static int try_path(const char *base, const char *sub, const char *name, char *out, size_t cap)
{
    if (!*base)
        return ERR_NOTFOUND;
    char dir[FS_PATH_MAX];
    int rc = fs_join(dir, sizeof dir, base, sub);
    if (rc == 0)
        rc = fs_join(out, cap, dir, name);
    if (rc)
        return rc;
    struct stat st;
    return stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, R_OK) == 0 ? 0
                                                                             : ERR_NOTFOUND;
}

int node_find_share_file(const char *sub, const char *name, char *out, size_t cap)
{
    char exe[FS_PATH_MAX], installed[FS_PATH_MAX], src[FS_PATH_MAX];
    exe_dir(exe, sizeof exe);
    installed[0] = src[0] = 0;
    if (*exe)
        snprintf(installed, sizeof installed, "%.4000s/../share/spectrumd", exe);
    if (*SPECTRUM_SRCDIR)
        snprintf(src, sizeof src, "%.4000s/share", SPECTRUM_SRCDIR);
    const char *order[4];
    size_t n = 0;
    if (same_dir(exe, SPECTRUM_BUILDDIR))
        order[n++] = src;
    order[n++] = installed;
    order[n++] = SPECTRUM_PKGDATADIR;
    order[n++] = src;
    for (size_t i = 0; i < n; i++)
        if (try_path(order[i], sub, name, out, cap) == 0)
            return 0;
    return err_set(ERR_NOTFOUND, "%s/%s not found in %s, %s or %s (was spectrumd installed with "
                   "`make install`?)", sub, name, *installed ? installed : "<program dir>/../share"
                   "/spectrumd", *SPECTRUM_PKGDATADIR ? SPECTRUM_PKGDATADIR : "<pkgdatadir>",
                   *src ? src : "<source tree>/share");
}
