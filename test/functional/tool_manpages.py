#!/usr/bin/env python3
"""The man pages in share/man/man1 against the programs' own -help.

For spectrumd, spectrum-cli and spectrum-evm: every option that `-help`
prints has an entry under OPTIONS in its man page with the same form
(-datadir=<dir> is `\\fB\\-datadir=\\fR\\fIdir\\fR`) and the same defaults, and
the man page documents no option that -help does not print. For
spectrum-evm the commands of -help and the options of `COMMAND --help` are
checked the same way against the COMMANDS section. The pages have the
sections a reader expects (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, FILES,
EXAMPLES, SEE ALSO), and render without a single warning through `man -l`
(or groff when man is missing; without either, only the roff structure is
checked, and the log says so).

The comparison is first run on doctored copies of a page (an option taken
out, one added) to show that it does catch the difference.
"""

import os
import re
import shutil
import subprocess

from test_framework.test_framework import SOURCE_ROOT, SpectrumTestFramework
from test_framework.util import AssertionFailure, assert_equal, assert_in, assert_true

MANDIR = os.path.join(SOURCE_ROOT, "share", "man", "man1")
PROGRAMS = ["spectrumd", "spectrum-cli", "spectrum-evm"]
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "FILES", "EXAMPLES", "SEE ALSO"]


# ---- -help ----------------------------------------------------------------

def help_options(text):
    """{normalized tag: description} of the option entries of a -help text:
    a line "  -tag" followed by lines indented by 7 spaces."""
    lines = text.split("\n")
    out = {}
    i = 0
    while i < len(lines):
        m = re.match(r"^  (-\S+)$", lines[i])
        i += 1
        if not m:
            continue
        desc = []
        while i < len(lines) and lines[i].startswith("       "):
            desc.append(lines[i].strip())
            i += 1
        out[norm_help_tag(m.group(1))] = " ".join(desc)
    return out


def help_commands(text):
    """The command names listed under "Commands:" (spectrum-evm)."""
    m = re.search(r"\nCommands:\n\n(.*?)\n\n", text, re.S)
    if not m:
        return []
    return [re.match(r"^  (\S+)", l).group(1) for l in m.group(1).split("\n")
            if re.match(r"^  \S", l)]


def command_options(text):
    """{tag: description} of a `COMMAND --help` text: lines "  --name [ARG]  text"."""
    out = {}
    for l in text.split("\n"):
        m = re.match(r"^  (--[a-z0-9-]+(?: [A-Z]+)?)\s{2,}(.*)$", l)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def norm_help_tag(tag):
    return tag.replace("<", "").replace(">", "")


def defaults_of(desc):
    """The default values a description states: "(default: 900)", "(default 2, ...)"."""
    return [d.strip() for d in re.findall(r"\(default:? ([^,;()]+)", desc)]


# ---- roff -----------------------------------------------------------------

def roff_text(s):
    """Plain text of roff source: font escapes dropped, \\- as -, \\e as \\."""
    s = re.sub(r"\\f[BIRP]", "", s)
    s = s.replace("\\-", "-").replace("\\e", "\\").replace("\\&", "").replace("\\(dq", '"')
    return s


def roff_line_text(line):
    """The text of one source line, macros such as .BR reduced to their words."""
    m = re.match(r"^\.(B|I|BR|RB|BI|IB|IR|RI)\s+(.*)$", line)
    if not m:
        return roff_text(line)
    args = re.findall(r'"[^"]*"|\S+', m.group(2))
    args = [a[1:-1] if a.startswith('"') else a for a in args]
    joiner = " " if m.group(1) in ("B", "I") else ""
    return roff_text(joiner.join(args))


class ManPage:
    """A man page parsed into sections; .TP entries (tag, text) per section
    and subsection."""

    def __init__(self, source):
        self.source = source
        self.title = None
        self.sections = []          # names in order
        self.entries = {}           # (section, subsection) -> [(tag, text)]
        self.subsections = {}       # section -> [names]
        self.name_line = ""
        sec = sub = None
        lines = [l for l in source.split("\n") if not l.startswith('.\\"')]
        i = 0
        while i < len(lines):
            l = lines[i]
            i += 1
            if l.startswith(".TH "):
                self.title = l.split()[1]
            elif l.startswith(".SH "):
                sec = l[4:].strip().strip('"')
                sub = None
                self.sections.append(sec)
                self.subsections[sec] = []
            elif l.startswith(".SS "):
                sub = roff_text(l[4:].strip().strip('"'))
                self.subsections.setdefault(sec, []).append(sub)
            elif sec == "NAME" and not l.startswith("."):
                self.name_line += roff_text(l)
            elif l == ".TP" and i < len(lines):
                tag = roff_line_text(lines[i]).strip()
                i += 1
                text = []
                while i < len(lines) and not re.match(r"^\.(TP|SS|SH|PP|RS|RE)\b", lines[i]):
                    text.append(roff_line_text(lines[i]))
                    i += 1
                self.entries.setdefault((sec, sub), []).append((tag, " ".join(text)))

    def options(self):
        """{tag: text} of every .TP entry under OPTIONS (any subsection)."""
        out = {}
        for (sec, _), ents in self.entries.items():
            if sec == "OPTIONS":
                for tag, text in ents:
                    if tag in out:
                        raise AssertionFailure("option %s documented twice" % tag)
                    out[tag] = text
        return out


def compare(what, want, have):
    """Problems between the entries of -help (want) and of the man page (have)."""
    problems = []
    for tag in sorted(set(want) - set(have)):
        problems.append("%s: %s is printed by -help but missing from the man page" % (what, tag))
    for tag in sorted(set(have) - set(want)):
        problems.append("%s: %s is in the man page but not printed by -help" % (what, tag))
    for tag in sorted(set(want) & set(have)):
        text = re.sub(r"\s+", " ", have[tag])
        for d in defaults_of(want[tag]):
            if d not in text:
                problems.append("%s: %s has the default %r in -help, not in the man page"
                                % (what, tag, d))
    return problems


class ManPagesTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 0
        self.start_nodes = False

    def run_test(self):
        self.help = {p: self.program_help(p) for p in PROGRAMS}
        self.test_checker_catches_differences()
        problems = []
        for prog in PROGRAMS:
            problems += self.check_page(prog)
        for p in problems:
            self.log("PROBLEM: " + p)
        assert_equal(problems, [], "man pages out of step with the programs")
        self.test_rendering()

    def program_help(self, prog):
        r = self.run_program(prog, ["-help"])
        assert_equal(r.returncode, 0, "%s -help exit code" % prog)
        return r.stdout

    def page(self, prog):
        path = os.path.join(MANDIR, prog + ".1")
        assert_true(os.path.exists(path), "man page %s exists" % path)
        with open(path, encoding="utf-8") as f:
            src = f.read()
        return path, src

    def check_page(self, prog, source=None):
        """Every problem of one page (or of `source` in its place)."""
        if source is None:
            _, source = self.page(prog)
        man = ManPage(source)
        problems = []
        if man.title != prog.upper().replace("-", "\\-"):
            problems.append("%s: .TH names %r" % (prog, man.title))
        for s in SECTIONS:
            if s not in man.sections:
                problems.append("%s: no %s section" % (prog, s))
        if not man.name_line.startswith(prog + " - "):
            problems.append("%s: the NAME line is %r, not '%s - ...'" % (prog, man.name_line,
                                                                         prog))
        try:
            opts = man.options()
        except AssertionFailure as e:
            return problems + ["%s: %s" % (prog, e)]
        want = help_options(self.help[prog])
        if len(want) < 2:
            problems.append("%s: -help printed only %d options" % (prog, len(want)))
        problems += compare(prog, want, opts)
        if prog == "spectrum-evm":
            problems += self.check_commands(man)
        try:
            source.encode("ascii")
        except UnicodeEncodeError:
            problems.append("%s: non-ASCII characters in the roff source" % prog)
        return problems

    def check_commands(self, man):
        problems = []
        cmds = help_commands(self.help["spectrum-evm"])
        if not cmds:
            return ["spectrum-evm: -help lists no commands"]
        have = man.subsections.get("COMMANDS", [])
        problems += compare("spectrum-evm commands", {c: "" for c in cmds},
                            {c: "" for c in have})
        for c in cmds:
            if c in ("help", "version"):
                continue
            r = self.run_program("spectrum-evm", [c, "--help"])
            if r.returncode != 0:
                problems.append("spectrum-evm %s --help: exit code %d" % (c, r.returncode))
                continue
            want = command_options(r.stdout)
            if not want:
                problems.append("spectrum-evm %s --help lists no options" % c)
            got = dict(man.entries.get(("COMMANDS", c), []))
            problems += compare("spectrum-evm %s" % c, want, got)
        return problems

    def test_checker_catches_differences(self):
        self.log("the comparison catches a missing, an extra and a changed option")
        _, src = self.page("spectrum-cli")
        assert_equal(self.check_page("spectrum-cli", src), [], "spectrum-cli page as it is")
        entry = re.search(r"\.TP\n\\fB\\-rpcwait\\fR\n(?:[^.].*\n)+", src)
        assert_true(entry is not None, "the -rpcwait entry found")
        missing = self.check_page("spectrum-cli", src.replace(entry.group(0), ""))
        assert_equal(missing, ["spectrum-cli: -rpcwait is printed by -help but missing from "
                               "the man page"])
        extra = self.check_page("spectrum-cli", src.replace(
            entry.group(0), entry.group(0) + ".TP\n\\fB\\-rpcbogus=\\fR\\fIn\\fR\nNothing.\n"))
        assert_equal(extra, ["spectrum-cli: -rpcbogus=n is in the man page but not printed "
                             "by -help"])
        changed = self.check_page("spectrum-cli", src.replace("(default: 900)",
                                                              "(default: 60)"))
        assert_equal(changed, ["spectrum-cli: -rpcclienttimeout=n has the default '900' in "
                               "-help, not in the man page"])
        _, evm = self.page("spectrum-evm")
        gone = self.check_page("spectrum-evm", evm.replace(
            ".TP\n\\fB\\-\\-threads\\fR \\fIN\\fR\n", ".TP\n\\fB\\-\\-jobs\\fR \\fIN\\fR\n"))
        assert_equal(sorted(gone), sorted([
            "spectrum-evm statetest: --threads N is printed by -help but missing from the man "
            "page",
            "spectrum-evm statetest: --jobs N is in the man page but not printed by -help"]))

    def test_rendering(self):
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
        if shutil.which("man"):
            how = "man -l"
            cmd = ["man", "--warnings", "-l"]
        elif shutil.which("groff"):
            how = "groff"
            cmd = ["groff", "-man", "-Tutf8", "-ww"]
        else:
            self.log("neither man nor groff is installed: only the roff structure was checked")
            return
        self.log("rendering with %s: no warnings" % how)
        for prog in PROGRAMS:
            path, _ = self.page(prog)
            r = subprocess.run(cmd + [path], capture_output=True, text=True, env=env,
                               timeout=self.timeout)
            assert_equal((r.returncode, r.stderr), (0, ""), "%s of %s" % (how, path))
            text = re.sub(r".\x08", "", r.stdout)      # overstrike, if any
            for s in SECTIONS:
                assert_in("\n%s\n" % s, text, "%s rendered" % prog)
            for tag in help_options(self.help[prog]):
                name = re.match(r"-[^=\[]+", tag).group(0)
                assert_in(name, text, "%s rendered" % prog)


if __name__ == "__main__":
    ManPagesTest().main()
