/*
 * params.h — spectrum-cli's command words as JSON-RPC params.
 *
 * The words after the method come from argv and, with -stdin, one a line
 * from standard input. A word that parses as JSON is sent as that JSON value
 * (123, true, null, "text", [1,2], {"a":1}); any other word is sent as a
 * string, so addresses and hashes need no quoting. With -named the words
 * are name=value pairs and form an object. Single-threaded, like the
 * program.
 */
#ifndef SPECTRUM_CLI_PARAMS_H
#define SPECTRUM_CLI_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define CLI_STDIN_MAX (64u << 20)     /* bytes read with -stdin */
#define CLI_PARAMS_MAX 4096           /* parameters per request */

/* Builds the params of one request from words[0..n): an array of their
 * values, or with `named` an object of name=value pairs (the value is
 * everything after the first '=').
 * Returns: 0, ERR_INVAL (with named: a word without '=' or with an empty
 *          name, or a name given twice; the message quotes it) or
 *          ERR_NOMEM.
 * Args:    words  borrowed; with named, each word is split at its first '='
 *                 while it is read (they must be writable; unchanged on
 *                 success, on error one may be left cut at its '=')
 * Out:     out    the new params, owned by the caller (json_decref);
 *                 untouched on error
 */
int cli_build_params(char **words, size_t n, bool named, json_t **out);

/* Reads all of standard input and appends its lines to words[]: one word a
 * line, without its "\n" or "\r\n"; an empty line is an empty word, a last
 * line without a newline counts, nothing follows the final newline.
 * Returns: 0, ERR_RANGE (more than CLI_STDIN_MAX bytes, or more than
 *          CLI_PARAMS_MAX words in all), ERR_INVAL (a NUL byte) or
 *          ERR_NOMEM.
 * In/Out:  words  an array of CLI_PARAMS_MAX; the new words point into *buf
 *          n      the words already there; receives the new count
 * Out:     buf    the text the words point into, owned by the caller (free
 *                 it after the last use of the words). Set once the input
 *                 is read, so also on ERR_RANGE for too many words;
 *                 untouched on the other errors.
 */
int cli_read_stdin_words(char **buf, char **words, size_t *n);

#endif
