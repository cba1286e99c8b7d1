/* test_args.c — unit tests for util/args: command-line syntax, the config
 * file and its sections, precedence, and every error a user can cause. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/args.h"
#include "util/err.h"

static const char *const sections[] = {"main", "test", "regtest"};

static const struct arg_def defs[] = {
    {.name = "flag", .type = ARG_BOOL, .category = ARGCAT_GENERAL, .help = "A flag."},
    {.name = "other", .type = ARG_BOOL, .category = ARGCAT_GENERAL, .def = "1", .help = "On."},
    {.name = "port", .type = ARG_INT, .category = ARGCAT_RPC, .value_name = "<port>",
     .def = "18545", .min = 1, .max = 65535, .help = "A port."},
    {.name = "delta", .type = ARG_INT, .category = ARGCAT_GENERAL, .value_name = "<n>",
     .min = -10, .max = 10, .help = "Signed."},
    {.name = "big", .type = ARG_INT, .category = ARGCAT_GENERAL, .value_name = "<n>",
     .min = -9223372036854775807LL - 1, .max = 9223372036854775807LL, .help = "Any."},
    {.name = "dir", .type = ARG_STRING, .category = ARGCAT_GENERAL, .value_name = "<dir>",
     .help = "A directory."},
    {.name = "pid", .type = ARG_STRING, .category = ARGCAT_GENERAL, .flags = ARG_NEGATABLE,
     .value_name = "<file>", .def = "x.pid", .help = "Pid file."},
    {.name = "debug", .type = ARG_LIST, .category = ARGCAT_DEBUG, .value_name = "<cat>",
     .implicit = "1", .help = "Debug categories."},
    {.name = "peer", .type = ARG_LIST, .category = ARGCAT_CONNECTION, .value_name = "<ip>",
     .help = "Peers."},
    {.name = "conf", .type = ARG_STRING, .category = ARGCAT_GENERAL, .flags = ARG_CMDLINE_ONLY,
     .value_name = "<file>", .help = "Config."},
    {.name = "regtest", .type = ARG_BOOL, .category = ARGCAT_CHAIN, .flags = ARG_NO_SECTION,
     .help = "Regtest."},
    {.name = "h", .type = ARG_BOOL, .category = ARGCAT_HIDDEN, .help = "Hidden alias."},
};

static const struct arg_def foreign_defs[] = {
    {.name = "rpcconnect", .type = ARG_STRING, .category = ARGCAT_RPC_CLIENT, .value_name = "<ip>",
     .help = "Client only."},
    {.name = "port", .type = ARG_INT, .category = ARGCAT_RPC_CLIENT, .min = 1, .max = 2,
     .help = "Already known: skipped."},
};

static struct args *make(void)
{
    struct args *a;
    ck_assert_int_eq(args_new(sections, 3, &a), 0);
    ck_assert_int_eq(args_register(a, defs, sizeof defs / sizeof defs[0]), 0);
    return a;
}

/* Parses a NULL-terminated word list (argv[0] is added). */
static int parse(struct args *a, int *next, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"prog";
    va_list ap;
    va_start(ap, next);
    const char *w;
    while ((w = va_arg(ap, const char *)) != NULL)
        argv[argc++] = (char *)w;
    va_end(ap);
    int dummy;
    return args_parse_cmdline(a, argc, argv, next ? next : &dummy);
}

static int conf(struct args *a, const char *text)
{
    return args_parse_config(a, text, strlen(text), "spectrum.conf");
}

START_TEST(flags_and_values)
{
    struct args *a = make();
    int next;
    ck_assert_int_eq(parse(a, &next, "-flag", "--port=8080", "-dir=/tmp/x y", "-delta=-3",
                           "-big=-9223372036854775808", NULL), 0);
    ck_assert_int_eq(next, 6);
    ck_assert(args_get_bool(a, "flag", false));
    ck_assert(args_get_bool(a, "other", true));         /* unset: default */
    ck_assert(!args_get_bool(a, "other", false));
    ck_assert_int_eq(args_get_int(a, "port", 1), 8080);
    ck_assert_int_eq(args_get_int(a, "delta", 0), -3);
    ck_assert(args_get_int(a, "big", 0) == -9223372036854775807LL - 1);
    ck_assert_str_eq(args_get_str(a, "dir", NULL), "/tmp/x y");
    ck_assert_str_eq(args_get_str(a, "pid", "x.pid"), "x.pid");
    ck_assert(args_is_set(a, "flag"));
    ck_assert(args_on_cmdline(a, "port"));
    ck_assert(!args_is_set(a, "pid"));
    ck_assert(!args_is_set(a, "nonexistent"));
    args_free(a);

    a = make();
    ck_assert_int_eq(parse(a, NULL, "-flag=0", "-other=true", NULL), 0);
    ck_assert(!args_get_bool(a, "flag", true));
    ck_assert(args_get_bool(a, "other", false));
    ck_assert_int_eq(parse(a, NULL, "-flag=false", "-flag=1", NULL), 0);
    ck_assert(args_get_bool(a, "flag", false));
    args_free(a);
}
END_TEST

START_TEST(negation)
{
    struct args *a = make();
    ck_assert_int_eq(parse(a, NULL, "-noflag", NULL), 0);
    ck_assert(!args_get_bool(a, "flag", true));
    ck_assert(args_is_negated(a, "flag"));
    ck_assert_int_eq(parse(a, NULL, "-noflag=0", NULL), 0);   /* double negation */
    ck_assert(args_get_bool(a, "flag", false));
    ck_assert_int_eq(parse(a, NULL, "--noflag=1", NULL), 0);
    ck_assert(!args_get_bool(a, "flag", true));

    ck_assert_int_eq(parse(a, NULL, "-nopid", NULL), 0);      /* negatable string */
    ck_assert(args_is_negated(a, "pid"));
    ck_assert_ptr_null(args_get_str(a, "pid", "x.pid"));
    ck_assert_int_eq(parse(a, NULL, "-pid=y.pid", NULL), 0);
    ck_assert(!args_is_negated(a, "pid"));
    ck_assert_str_eq(args_get_str(a, "pid", "x.pid"), "y.pid");

    ck_assert_int_eq(parse(a, NULL, "-nodir", NULL), ERR_INVAL);  /* not negatable */
    ck_assert_str_eq(err_msg(), "option -dir: cannot be negated");
    ck_assert_int_eq(parse(a, NULL, "-noport", NULL), ERR_INVAL);
    ck_assert_int_eq(parse(a, NULL, "-nodir=secret", NULL), ERR_INVAL);
    ck_assert_str_eq(err_msg(), "option -dir: cannot be negated");   /* value not echoed */
    ck_assert_int_eq(parse(a, NULL, "-noflag=maybe", NULL), ERR_INVAL);
    ck_assert_str_eq(err_msg(), "option -flag: 'maybe' is not 0 or 1");
    args_free(a);
}
END_TEST

START_TEST(repeats_and_lists)
{
    struct args *a = make();
    const char *v[8];
    ck_assert_int_eq(parse(a, NULL, "-debug=net", "-debug=rpc,evm", "-debug", "-port=1",
                           "-port=2", NULL), 0);
    ck_assert_uint_eq(args_get_list(a, "debug", v, 8), 3);
    ck_assert_str_eq(v[0], "net");
    ck_assert_str_eq(v[1], "rpc,evm");
    ck_assert_str_eq(v[2], "1");        /* bare list option: its implicit value */
    ck_assert_int_eq(args_get_int(a, "port", 0), 2);    /* last one wins */
    ck_assert_str_eq(args_get_str(a, "debug", NULL), "1");

    /* cap smaller than the count: count still reported, only cap written */
    v[1] = NULL;
    ck_assert_uint_eq(args_get_list(a, "debug", v, 1), 3);
    ck_assert_ptr_null(v[1]);

    /* a negation drops the earlier values, later ones are kept */
    ck_assert_int_eq(parse(a, NULL, "-nodebug", "-debug=db", NULL), 0);
    ck_assert_uint_eq(args_get_list(a, "debug", v, 8), 1);
    ck_assert_str_eq(v[0], "db");
    ck_assert_int_eq(parse(a, NULL, "-nodebug", NULL), 0);
    ck_assert_uint_eq(args_get_list(a, "debug", v, 8), 0);
    ck_assert(args_is_negated(a, "debug"));
    ck_assert_uint_eq(args_get_list(a, "peer", v, 8), 0);
    args_free(a);
}
END_TEST

START_TEST(positional_words_stop_parsing)
{
    struct args *a = make();
    int next;
    ck_assert_int_eq(parse(a, &next, "-flag", "getblock", "-port=5", NULL), 0);
    ck_assert_int_eq(next, 2);
    ck_assert(!args_is_set(a, "port"));   /* after the method: a parameter */
    ck_assert_int_eq(parse(a, &next, "--", "-flag", NULL), 0);
    ck_assert_int_eq(next, 2);
    ck_assert_int_eq(parse(a, &next, "-", NULL), 0);
    ck_assert_int_eq(next, 1);
    ck_assert_int_eq(parse(a, &next, NULL), 0);
    ck_assert_int_eq(next, 1);
    args_free(a);
}
END_TEST

START_TEST(config_sections)
{
    struct args *a = make();
    ck_assert_int_eq(conf(a,
        "# a comment\n"
        "\n"
        "  port = 1000   # trailing comment\n"
        "debug=net\r\n"
        "regtest=1\n"
        "pid=top.pid\n"
        "[regtest]\n"
        "port=2000\n"
        "debug=rpc\n"
        "[ test ]\n"
        "port=3000\n"
        "nopid=1\n"
        "[main]\n"
        "flag=1\n"), 0);
    const char *v[8];

    /* no section selected: top level only */
    ck_assert_int_eq(args_get_int(a, "port", 0), 1000);
    ck_assert_uint_eq(args_get_list(a, "debug", v, 8), 1);
    ck_assert(args_get_bool(a, "regtest", false));

    ck_assert_int_eq(args_select_section(a, "regtest"), 0);
    ck_assert_int_eq(args_get_int(a, "port", 0), 2000);   /* section overrides top */
    ck_assert_uint_eq(args_get_list(a, "debug", v, 8), 2); /* lists accumulate */
    ck_assert_str_eq(v[0], "net");
    ck_assert_str_eq(v[1], "rpc");
    ck_assert(!args_get_bool(a, "flag", false));           /* [main] only */
    ck_assert_str_eq(args_get_str(a, "pid", NULL), "top.pid");

    ck_assert_int_eq(args_select_section(a, "test"), 0);
    ck_assert_int_eq(args_get_int(a, "port", 0), 3000);
    ck_assert_ptr_null(args_get_str(a, "pid", "x.pid"));  /* negated in [test] */

    ck_assert_int_eq(args_select_section(a, "main"), 0);
    ck_assert(args_get_bool(a, "flag", false));
    ck_assert_int_eq(args_get_int(a, "port", 0), 1000);

    ck_assert_int_eq(args_select_section(a, "nosuch"), ERR_INVAL);
    ck_assert_int_eq(args_select_section(a, NULL), 0);
    ck_assert_int_eq(args_get_int(a, "port", 0), 1000);
    args_free(a);
}
END_TEST

START_TEST(command_line_overrides_config)
{
    struct args *a = make();
    ck_assert_int_eq(parse(a, NULL, "-port=9", "-debug=evm", "-noflag", "-dir=cli", NULL), 0);
    /* config read after the command line, as the programs do */
    ck_assert_int_eq(conf(a, "port=1\nflag=1\ndebug=net\ndir=conf\n[regtest]\nport=2\n"
                             "dir=section\n"), 0);
    ck_assert_int_eq(args_select_section(a, "regtest"), 0);
    ck_assert_int_eq(args_get_int(a, "port", 0), 9);
    ck_assert(!args_get_bool(a, "flag", true));
    ck_assert_str_eq(args_get_str(a, "dir", NULL), "cli");
    const char *v[4];
    ck_assert_uint_eq(args_get_list(a, "debug", v, 4), 2);
    ck_assert_str_eq(v[0], "net");      /* config values first, then the command line */
    ck_assert_str_eq(v[1], "evm");
    ck_assert(!args_on_cmdline(a, "peer"));
    args_free(a);

    /* a command-line negation of a list drops the config's values */
    a = make();
    ck_assert_int_eq(parse(a, NULL, "-nodebug", NULL), 0);
    ck_assert_int_eq(conf(a, "debug=net\n"), 0);
    ck_assert_uint_eq(args_get_list(a, "debug", v, 4), 0);
    args_free(a);
}
END_TEST

/* Checks that a command line fails with exactly `msg`. */
static void cmdline_error(const char *word, int code, const char *msg)
{
    struct args *a = make();
    int next = -1;
    ck_assert_int_eq(parse(a, &next, "-flag", word, NULL), code);
    ck_assert_int_eq(next, 2);
    ck_assert_str_eq(err_msg(), msg);
    args_free(a);
}

START_TEST(command_line_errors)
{
    cmdline_error("-foo", ERR_INVAL, "unknown option -foo");
    cmdline_error("--foo=1", ERR_INVAL, "unknown option -foo");
    cmdline_error("-nofoo", ERR_INVAL, "unknown option -nofoo");
    cmdline_error("-Flag", ERR_INVAL, "unknown option -Flag");
    cmdline_error("-fo\x01o", ERR_INVAL, "unknown option -fo?o");
    cmdline_error("-port=abc", ERR_INVAL, "option -port: 'abc' is not an integer from 1 to 65535");
    cmdline_error("-port=0", ERR_INVAL, "option -port: '0' is not an integer from 1 to 65535");
    cmdline_error("-port=65536", ERR_INVAL,
                  "option -port: '65536' is not an integer from 1 to 65535");
    cmdline_error("-port= 80", ERR_INVAL, "option -port: ' 80' is not an integer from 1 to 65535");
    cmdline_error("-port=80 ", ERR_INVAL, "option -port: '80 ' is not an integer from 1 to 65535");
    cmdline_error("-port=+80", ERR_INVAL, "option -port: '+80' is not an integer from 1 to 65535");
    cmdline_error("-port=0x50", ERR_INVAL,
                  "option -port: '0x50' is not an integer from 1 to 65535");
    cmdline_error("-port=", ERR_INVAL, "option -port: '' is not an integer from 1 to 65535");
    cmdline_error("-port", ERR_INVAL, "option -port: needs a value (port=<port>)");
    cmdline_error("-delta=-", ERR_INVAL, "option -delta: '-' is not an integer from -10 to 10");
    cmdline_error("-big=9223372036854775808", ERR_INVAL,
                  "option -big: '9223372036854775808' is not an integer from "
                  "-9223372036854775808 to 9223372036854775807");
    cmdline_error("-big=-9223372036854775809", ERR_INVAL,
                  "option -big: '-9223372036854775809' is not an integer from "
                  "-9223372036854775808 to 9223372036854775807");
    cmdline_error("-flag=yes", ERR_INVAL, "option -flag: 'yes' is not 0, 1, true or false");
    cmdline_error("-flag=", ERR_INVAL, "option -flag: '' is not 0, 1, true or false");
    cmdline_error("-dir", ERR_INVAL, "option -dir: needs a value (dir=<dir>)");
    cmdline_error("-peer", ERR_INVAL, "option -peer: needs a value (peer=<ip>)");

    char big[ARGS_VALUE_MAX + 16];
    memcpy(big, "-dir=", 5);
    memset(big + 5, 'x', ARGS_VALUE_MAX + 1);
    big[5 + ARGS_VALUE_MAX + 1] = 0;
    cmdline_error(big, ERR_RANGE, "option -dir: value is longer than 4096 bytes");
    big[5 + ARGS_VALUE_MAX] = 0;            /* exactly the limit is fine */
    struct args *a = make();
    ck_assert_int_eq(parse(a, NULL, big, NULL), 0);
    ck_assert_uint_eq(strlen(args_get_str(a, "dir", "")), ARGS_VALUE_MAX);
    args_free(a);

    /* an unknown name longer than the display limit is shortened */
    char longname[200];
    longname[0] = '-';
    memset(longname + 1, 'q', 150);
    longname[151] = 0;
    a = make();
    ck_assert_int_eq(parse(a, NULL, longname, NULL), ERR_INVAL);
    ck_assert_uint_lt(strlen(err_msg()), 100);
    ck_assert_ptr_nonnull(strstr(err_msg(), "qqq..."));
    args_free(a);
}
END_TEST

START_TEST(too_many_values)
{
    struct args *a = make();
    char *text = malloc((ARGS_VALUES_MAX + 1) * 8 + 1);
    size_t n = 0;
    for (int i = 0; i < ARGS_VALUES_MAX; i++)
        n += (size_t)sprintf(text + n, "peer=%d\n", i % 10);
    ck_assert_int_eq(args_parse_config(a, text, n, "c"), 0);
    const char *v[1];
    ck_assert_uint_eq(args_get_list(a, "peer", v, 1), ARGS_VALUES_MAX);
    ck_assert_int_eq(args_parse_config(a, "peer=x\n", 7, "c"), ERR_RANGE);
    ck_assert_str_eq(err_msg(), "c:1: option 'peer': too many values (at most 1024)");
    free(text);
    args_free(a);
}
END_TEST

/* Checks that config text fails with exactly `msg`. */
static void config_error(const char *text, size_t len, int code, const char *msg)
{
    struct args *a = make();
    ck_assert_int_eq(args_parse_config(a, text, len, "spectrum.conf"), code);
    ck_assert_str_eq(err_msg(), msg);
    args_free(a);
}
#define CONFIG_ERROR(text, code, msg) config_error(text, sizeof(text) - 1, code, msg)

START_TEST(config_errors)
{
    CONFIG_ERROR("port=1\n\n# c\nfoo=1\n", ERR_INVAL, "spectrum.conf:4: unknown option 'foo'");
    CONFIG_ERROR("nofoo=1\n", ERR_INVAL, "spectrum.conf:1: unknown option 'nofoo'");
    CONFIG_ERROR("flag\n", ERR_INVAL, "spectrum.conf:1: expected option=value, got 'flag'");
    CONFIG_ERROR("=1\n", ERR_INVAL, "spectrum.conf:1: missing option name before '='");
    CONFIG_ERROR("-flag=1\n", ERR_INVAL,
                 "spectrum.conf:1: option '-flag' written with a '-' (leave it out in "
                 "spectrum.conf)");
    CONFIG_ERROR("[nosuch]\n", ERR_INVAL, "spectrum.conf:1: unknown section [nosuch]");
    CONFIG_ERROR("[regtest\n", ERR_INVAL, "spectrum.conf:1: malformed section header");
    CONFIG_ERROR("conf=x\n", ERR_INVAL,
                 "spectrum.conf:1: option 'conf' can only be given on the command line");
    CONFIG_ERROR("[regtest]\nregtest=1\n", ERR_INVAL,
                 "spectrum.conf:2: option 'regtest' cannot be set inside [regtest]");
    CONFIG_ERROR("port=99999\n", ERR_INVAL,
                 "spectrum.conf:1: option 'port': '99999' is not an integer from 1 to 65535");
    CONFIG_ERROR("flag=on\n", ERR_INVAL,
                 "spectrum.conf:1: option 'flag': 'on' is not 0, 1, true or false");
    CONFIG_ERROR("nodir=1\n", ERR_INVAL, "spectrum.conf:1: option 'dir': cannot be negated");
    CONFIG_ERROR("a=1\0b\n", ERR_INVAL, "spectrum.conf:1: NUL byte in line");
    CONFIG_ERROR("flag=1\nflag=1\x00\n", ERR_INVAL, "spectrum.conf:2: NUL byte in line");

    size_t n = ARGS_LINE_MAX + 10;
    char *line = malloc(n);
    memcpy(line, "dir=", 4);
    memset(line + 4, 'a', n - 4);
    config_error(line, n, ERR_RANGE, "spectrum.conf:1: line longer than 8192 bytes");
    free(line);

    char *huge = calloc(1, ARGS_CONFIG_MAX + 1);
    memset(huge, '\n', ARGS_CONFIG_MAX + 1);
    config_error(huge, ARGS_CONFIG_MAX + 1, ERR_RANGE,
                 "spectrum.conf: larger than 1048576 bytes");
    struct args *a = make();
    ck_assert_int_eq(args_parse_config(a, huge, ARGS_CONFIG_MAX, "x"), 0); /* at the limit */
    args_free(a);
    free(huge);
}
END_TEST

START_TEST(config_edge_cases)
{
    struct args *a = make();
    /* no final newline, CRLF, tabs, empty value for a string, '#' cuts values */
    ck_assert_int_eq(conf(a, "\tdir = \r\npid=a#b\r\nport=7"), 0);
    ck_assert_str_eq(args_get_str(a, "dir", "x"), "");
    ck_assert_str_eq(args_get_str(a, "pid", NULL), "a");
    ck_assert_int_eq(args_get_int(a, "port", 0), 7);
    ck_assert_int_eq(conf(a, ""), 0);
    ck_assert_int_eq(conf(a, "flag=1\n[regtest]\n[main]\n"), 0);
    args_free(a);
}
END_TEST

START_TEST(config_file)
{
    char path[] = "/tmp/test_args_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char text[] = "port=4242\n[regtest]\ndebug=net\n";
    ck_assert_int_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);

    struct args *a = make();
    ck_assert_int_eq(args_read_config_file(a, path, true), 0);
    ck_assert_int_eq(args_get_int(a, "port", 0), 4242);
    unlink(path);
    ck_assert_int_eq(args_read_config_file(a, path, false), 0);   /* missing: fine */
    ck_assert_int_eq(args_read_config_file(a, path, true), ERR_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(err_msg(), "not found"));
    ck_assert_int_eq(args_read_config_file(a, "/tmp", true), ERR_IO);  /* a directory */
    args_free(a);
}
END_TEST

/* True when both strings occur in buf and x comes first. */
static bool before(const char *buf, const char *x, const char *y)
{
    const char *px = strstr(buf, x), *py = strstr(buf, y);
    return px && py && px < py;
}

START_TEST(foreign_and_ignored_options)
{
    struct args *a = make();
    ck_assert_int_eq(args_register_foreign(a, foreign_defs, 2), 0);
    ck_assert_int_eq(conf(a, "rpcconnect=10.0.0.1\nport=5\n"), 0);  /* port is ours */
    ck_assert_str_eq(args_get_str(a, "rpcconnect", NULL), "10.0.0.1");
    ck_assert_int_eq(args_get_int(a, "port", 0), 5);
    ck_assert_int_eq(parse(a, NULL, "-rpcconnect=1.2.3.4", NULL), ERR_INVAL);
    ck_assert_str_eq(err_msg(), "unknown option -rpcconnect");

    /* help leaves out foreign and hidden options */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    args_print_help(a, f);
    fclose(f);
    ck_assert_ptr_null(strstr(buf, "rpcconnect"));
    ck_assert_ptr_null(strstr(buf, "  -h\n"));
    ck_assert_ptr_nonnull(strstr(buf, "  -port=<port>\n       A port. (default: 18545)\n"));
    ck_assert_ptr_nonnull(strstr(buf, "  -debug[=<cat>]\n"));
    ck_assert_ptr_nonnull(strstr(buf, "RPC server options:"));
    /* categories in enum order, names sorted inside */
    ck_assert(before(buf, "Options:", "Chain selection options:"));
    ck_assert(before(buf, "  -conf=", "  -delta="));
    ck_assert(before(buf, "  -delta=", "  -dir="));
    free(buf);

    ck_assert_int_eq(conf(a, "unknownthing=1\n"), ERR_INVAL);
    args_ignore_unknown_config(a, true);
    ck_assert_int_eq(conf(a, "unknownthing=1\n"), 0);
    ck_assert_int_eq(conf(a, "port=x\n"), ERR_INVAL);      /* known ones still checked */
    ck_assert_int_eq(conf(a, "garbage\n"), ERR_INVAL);     /* and the syntax */
    args_free(a);
}
END_TEST

START_TEST(registration_errors)
{
    struct args *a;
    ck_assert_int_eq(args_new(sections, 3, &a), 0);
    static const struct arg_def dup[] = {
        {.name = "x", .type = ARG_BOOL, .help = ""},
        {.name = "x", .type = ARG_BOOL, .help = ""},
    };
    ck_assert_int_eq(args_register(a, dup, 2), ERR_INVAL);
    ck_assert(!args_is_set(a, "x"));
    ck_assert_int_eq(parse(a, NULL, "-x", NULL), ERR_INVAL);   /* nothing was registered */
    static const struct arg_def shadow[] = {
        {.name = "de", .type = ARG_BOOL, .help = ""},
        {.name = "node", .type = ARG_BOOL, .help = ""},
    };
    ck_assert_int_eq(args_register(a, shadow, 2), ERR_INVAL);
    static const struct arg_def badname[] = {{.name = "Bad-Name", .type = ARG_BOOL, .help = ""}};
    ck_assert_int_eq(args_register(a, badname, 1), ERR_INVAL);
    static const struct arg_def badrange[] = {
        {.name = "r", .type = ARG_INT, .min = 5, .max = 4, .help = ""}};
    ck_assert_int_eq(args_register(a, badrange, 1), ERR_INVAL);
    ck_assert_int_eq(args_register(a, dup, 1), 0);
    ck_assert_int_eq(parse(a, NULL, "-x", NULL), 0);
    args_free(a);

    const char *many[ARGS_SECTIONS_MAX + 1] = {0};
    ck_assert_int_eq(args_new(many, ARGS_SECTIONS_MAX + 1, &a), ERR_RANGE);
    ck_assert_ptr_null(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("args");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, flags_and_values);
    tcase_add_test(tc, negation);
    tcase_add_test(tc, repeats_and_lists);
    tcase_add_test(tc, positional_words_stop_parsing);
    tcase_add_test(tc, config_sections);
    tcase_add_test(tc, command_line_overrides_config);
    tcase_add_test(tc, command_line_errors);
    tcase_add_test(tc, too_many_values);
    tcase_add_test(tc, config_errors);
    tcase_add_test(tc, config_edge_cases);
    tcase_add_test(tc, config_file);
    tcase_add_test(tc, foreign_and_ignored_options);
    tcase_add_test(tc, registration_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
