/*
 * params.c — spectrum-cli's words to JSON-RPC params; see params.h.
 *
 * Kept apart from the connection because it knows nothing of HTTP: it is
 * the part of the command line that becomes the request. Duplicate names
 * are refused both inside a JSON word and across -named pairs, so what is
 * sent is never ambiguous. Standard input is read whole, capped at
 * CLI_STDIN_MAX, and refused when it holds a NUL byte (a word could not
 * carry it).
 */
#include "cli/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"

/* A word as a JSON value: parsed JSON when it is JSON, else a string. */
static json_t *word_value(const char *w)
{
    json_error_t jerr;
    json_t *v = json_loads(w, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    return v ? v : json_string(w);
}

int cli_build_params(char **words, size_t n, bool named, json_t **out)
{
    json_t *p = named ? json_object() : json_array();
    if (!p)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!named) {
            json_t *v = word_value(words[i]);
            if (!v || json_array_append_new(p, v)) {
                json_decref(p);
                return err_set(ERR_NOMEM, "out of memory");
            }
            continue;
        }
        char *eq = strchr(words[i], '=');
        if (!eq || eq == words[i]) {
            json_decref(p);
            return err_set(ERR_INVAL, "with -named, parameters are name=value (got '%.64s')",
                           words[i]);
        }
        *eq = 0;
        if (json_object_get(p, words[i])) {
            json_decref(p);
            return err_set(ERR_INVAL, "parameter %.64s given twice", words[i]);
        }
        json_t *v = word_value(eq + 1);
        if (!v || json_object_set_new(p, words[i], v)) {
            json_decref(p);
            return err_set(ERR_NOMEM, "out of memory");
        }
        *eq = '=';
    }
    *out = p;
    return 0;
}

int cli_read_stdin_words(char **buf, char **words, size_t *n)
{
    struct bytes b = BYTES_INIT;
    char chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        if (b.len + r > CLI_STDIN_MAX) {
            bytes_free(&b);
            return err_set(ERR_RANGE, "standard input is larger than %u bytes", CLI_STDIN_MAX);
        }
        if (bytes_append(&b, chunk, r)) {
            bytes_free(&b);
            return err_set(ERR_NOMEM, "out of memory");
        }
    }
    if (bytes_push(&b, 0)) {
        bytes_free(&b);
        return err_set(ERR_NOMEM, "out of memory");
    }
    size_t len;
    char *s = (char *)bytes_steal(&b, &len);
    len--;  /* the NUL */
    if (memchr(s, 0, len)) {
        free(s);
        return err_set(ERR_INVAL, "standard input contains a NUL byte");
    }
    *buf = s;
    char *p = s;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        size_t l = strlen(p);
        if (l && p[l - 1] == '\r')
            p[l - 1] = 0;
        if (*n == CLI_PARAMS_MAX)
            return err_set(ERR_RANGE, "more than %d parameters", CLI_PARAMS_MAX);
        words[(*n)++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}
