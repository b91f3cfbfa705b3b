#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""No source file calls into a file that calls back into it (issue #18).

Each component is checked on its own: uacce/, every drivers/<module>/
(engine, mdev, vzip, wd_pci), lib/, provider/ and every samples/<program>/.  Within a component
the script builds the file-level call graph, B -> A when B calls a
function or a function-like macro that A defines (A != B), and reports
every strongly connected component of more than one file: the files, and
for each edge inside it the functions called (with, in parentheses, the
callers in B).  TAP: first the self-test below, then one test per
component; exits 1 when any of them fails.

How the graph is read
  Definitions come from universal-ctags (functions, with their "static"
  property, and function-like macros), and a tokenizer of our own finds
  them too: the two must agree, file by file, or the component fails with
  the disagreement, since a graph built on a misread file proves nothing.
  ctags does not record calls, so the tokenizer finds those: comments,
  string and character literals are dropped, `#if 0` blocks skipped (other
  conditionals: every branch is read), and a call is an identifier
  followed by `(` inside a function body or a #define body, not preceded
  by `.`, `->` or `##` (a member or a pasted name), not a C keyword, not a
  declaration (`type name(`, e.g. a prototype inside a body), not a
  parameter, a macro parameter or a local declared `type name` or
  `(*name)` (those are pointers, whatever other file has that name).
  Outside function bodies (file-scope macro invocations, initializers)
  only function-like macros count as calls.
  Headers are files like the others: a static inline function or a macro
  defined in a header is defined there, and the calls in its inline
  functions and #define bodies are the header's calls.

Resolving a call of NAME made in file B
  - B defines NAME (function or function-like macro): local, no edge;
  - else an edge to every file with a definition B can see: the .c files
    whose NAME is not static (a function is static when its definition or
    an earlier file-scope declaration says so; a .c file's macros and
    static functions are its own), and the headers defining NAME that B
    includes (#include "...", transitively, within the component).  Both
    count: `#if CONFIG_X` may pick the .c function, `#else` the header's
    static inline stub.  A header that B does not include is used only
    when nothing else defines NAME (--verbose tells).

Out of scope: calls through function pointers (ops tables, callbacks;
taking a function's address is not a call), calls that only exist after
token pasting (`foo_##x(`), functions that only a macro's expansion
defines (lib/zforward.c's FORWARD(), TRACE_EVENT()'s trace_*()), and calls
between components.  Every branch of `#if X`/`#else` is read: the graph
is the union over configurations (a call made only under CONFIG_KUNIT
counts).

Usage: callgraph_test.py [--self-test] [--verbose] [--root DIR] [COMPONENT...]
  --self-test  only the self-test: synthetic trees with known graphs
  --verbose    also the calls resolved to several files, or through a
               header the caller does not include
  COMPONENT    a directory under the root (default: all of the above)
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, '..', '..'))

FIXED_COMPONENTS = ['uacce', 'lib', 'provider']

KEYWORDS = set('''
auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed
sizeof static struct switch typedef union unsigned void volatile while
_Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Generic _Noreturn
_Static_assert _Thread_local bool typeof __typeof__ __typeof asm __asm__
__asm __inline __inline__ __volatile__ __volatile __restrict __restrict__
__extension__ __builtin_offsetof __builtin_types_compatible_p
__builtin_choose_expr __builtin_va_arg alignof __alignof__ __alignof
static_assert __label__ __auto_type __attribute__ __attribute __declspec
'''.split())

# Keywords after which `name(` is still a call (a statement or an
# expression goes on); after any other identifier it is a declaration.
CALL_AFTER = set('''
return else do case goto sizeof typeof __typeof__ __typeof __extension__
alignof __alignof__ _Alignof
'''.split())

# Attribute-like macros that take arguments and may stand in a function's
# definition beside its name.  ctags settles the name in any case; these
# only keep our own reading of a definition right where ctags has no say.
ATTRIBUTES = set('''
__attribute__ __attribute __declspec __printf __scanf __acquires
__releases __must_hold __cond_acquires __cond_releases __aligned
__section __alloc_size __realloc_size __nonnull __diagnose_as
__assume_aligned __counted_by _Alignas alignas __no_sanitize_or_inline
'''.split())

TOKEN = re.compile(r'''
  (?P<splice>\\\r?\n)
| (?P<nl>\r?\n)
| (?P<ws>[ \t\f\v\r]+)
| (?P<bcomment>/\*.*?\*/)
| (?P<lcomment>//(?:\\\r?\n|[^\n])*)
| (?P<str>"(?:\\.|\\\r?\n|[^"\\\n])*")
| (?P<chr>'(?:\\.|[^'\\\n])+')
| (?P<num>\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*)
| (?P<id>[A-Za-z_$][A-Za-z0-9_$]*)
| (?P<punct>->|\.\.\.|\#\#|<<=|>>=|<<|>>|\+\+|--|[-+*/%&|^!<>=]=|&&|\|\||.)
''', re.X | re.S)


class Tok:
    __slots__ = ('kind', 'text', 'line', 'start', 'end')

    def __init__(self, kind, text, line, start, end):
        self.kind, self.text, self.line = kind, text, line
        self.start, self.end = start, end

    def __repr__(self):
        return '%s@%d' % (self.text, self.line)


def tokenize(src):
    """Tokens of C source: no comments, literals as one token, 'nl' for
    the newlines that end a line (not those inside comments or spliced)."""
    toks = []
    line = 1
    pos = 0
    n = len(src)
    while pos < n:
        m = TOKEN.match(src, pos)
        kind = m.lastgroup
        text = m.group()
        if kind not in ('ws', 'splice', 'bcomment', 'lcomment'):
            toks.append(Tok(kind, text, line, m.start(), m.end()))
        line += text.count('\n')
        pos = m.end()
    # an unterminated /* swallows the rest: the regex fails to match it
    # as a comment and '/' '*' come out as punctuation, which only ever
    # hides calls from us; C files that compile have none.
    return toks


def matching(toks, i, open_='(', close=')'):
    """Index of the token that closes toks[i], or len(toks)."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j].text
        if t == open_:
            depth += 1
        elif t == close:
            depth -= 1
            if depth == 0:
                return j
    return len(toks)


def if_value(expr):
    """1 or 0 for a conditional we can decide (`0`, `1`), else None."""
    e = [t.text for t in expr if t.text not in '()']
    if e == ['0']:
        return 0
    if e == ['1']:
        return 1
    return None


class Def:
    __slots__ = ('name', 'kind', 'static', 'file', 'line')

    def __init__(self, name, kind, static, file, line):
        self.name, self.kind, self.static = name, kind, static
        self.file, self.line = file, line


class Call:
    __slots__ = ('name', 'line', 'caller', 'macro_only')

    def __init__(self, name, line, caller, macro_only):
        self.name, self.line, self.caller = name, line, caller
        self.macro_only = macro_only


class SourceFile:
    """One file read: its definitions, calls, includes and problems."""

    def __init__(self, rel, src, ctags_funcs):
        self.rel = rel
        self.defs = []          # Def
        self.calls = []         # Call
        self.includes = []      # "..." includes, as written
        self.problems = []
        self.static_protos = set()
        self.ctags_blind = set()    # `int (name)(...)`: ctags misses it
        self.ctags_funcs = ctags_funcs  # name -> [line] of ctags functions
        code = self.preprocess(tokenize(src))
        self.parse(code)

    # -- preprocessor lines ----------------------------------------------

    def preprocess(self, toks):
        """Split directives from code; skip dead #if 0 branches; read
        #define and #include.  Returns the live code tokens."""
        code = []
        conds = []   # [live, taken] per #if level: taken 'yes'/'no'/'maybe'
        live = True
        i, n = 0, len(toks)
        bol = True
        while i < n:
            t = toks[i]
            if t.kind == 'nl':
                bol = True
                i += 1
                continue
            if bol and t.text == '#':
                j = i + 1
                while j < n and toks[j].kind != 'nl':
                    j += 1
                d = toks[i + 1:j]
                word = d[0].text if d else ''
                rest = d[1:]
                if word in ('if', 'ifdef', 'ifndef'):
                    v = if_value(rest) if word == 'if' else None
                    conds.append([v != 0, 'yes' if v == 1 else
                                  'no' if v == 0 else 'maybe'])
                elif word == 'elif' and conds:
                    c = conds[-1]
                    if c[1] == 'yes':
                        c[0] = False
                    else:
                        v = if_value(rest)
                        c[0] = v != 0
                        c[1] = 'yes' if v == 1 else c[1] if v == 0 \
                            else 'maybe'
                elif word == 'else' and conds:
                    c = conds[-1]
                    c[0] = c[1] != 'yes'
                    c[1] = 'yes'
                elif word == 'endif':
                    if conds:
                        conds.pop()
                    else:
                        self.problems.append(
                            '%s:%d: #endif without #if' % (self.rel, t.line))
                live = all(c[0] for c in conds)
                if live:
                    if word == 'define' and rest and rest[0].kind == 'id':
                        self.define(rest)
                    elif word == 'include' and rest and rest[0].kind == 'str':
                        self.includes.append(rest[0].text[1:-1])
                i = j
                continue
            bol = False
            if live:
                code.append(t)
            i += 1
        if conds:
            self.problems.append('%s: #if without #endif' % self.rel)
        return code

    def define(self, d):
        name = d[0]
        body = d[1:]
        params = set()
        if body and body[0].text == '(' and body[0].start == name.end:
            close = matching(body, 0)
            params = {t.text for t in body[1:close] if t.kind == 'id'}
            params.add('__VA_ARGS__')
            body = body[close + 1:]
            self.defs.append(Def(name.text, 'macro', False, self.rel,
                                 name.line))
        # object-like or function-like, the calls in its body are ours
        self.find_calls(body, 'macro ' + name.text, params, False)

    # -- code ------------------------------------------------------------

    def parse(self, toks):
        """File scope: declarations, function definitions and the other
        braced blocks (types, initializers, extern "C")."""
        stmt = []
        paren = 0
        extern_c = 0
        i, n = 0, len(toks)
        while i < n:
            t = toks[i]
            x = t.text
            if x == '(':
                paren += 1
            elif x == ')':
                paren -= 1
            if x == ';' and paren == 0:
                self.declaration(stmt)
                stmt = []
            elif x == '{':
                if (paren == 0 and len(stmt) == 2 and stmt[0].text == 'extern'
                        and stmt[1].kind == 'str'):
                    extern_c += 1      # extern "C" { ... }: transparent
                    stmt = []
                    i += 1
                    continue
                close = matching(toks, i, '{', '}')
                if close == n:
                    self.problems.append('%s:%d: unbalanced {' %
                                         (self.rel, t.line))
                if paren == 0 and stmt and stmt[-1].text == ')':
                    self.function(stmt, toks[i + 1:close], t)
                    stmt = []
                else:
                    # struct/union/enum body, initializer, statement
                    # expression in a macro argument: macros only
                    self.find_calls(toks[i + 1:close], '<file scope>',
                                    set(), True)
                    stmt.append(Tok('punct', '{...}', t.line, 0, 0))
                i = close + 1
                continue
            elif x == '}':
                if extern_c and paren == 0 and not stmt:
                    extern_c -= 1
                else:
                    self.problems.append('%s:%d: unbalanced }' %
                                         (self.rel, t.line))
            else:
                stmt.append(t)
            i += 1
        if stmt:
            self.declaration(stmt)
        if paren:
            self.problems.append('%s: unbalanced ( at file scope' % self.rel)

    def declarators(self, stmt):
        """(index of the name, index of its '(', of its ')') for every
        `name(` at parenthesis depth 0 that is not an attribute, and for
        a parenthesized `(name)(`, which keeps a macro of that name from
        expanding (ctags misses those)."""
        out = []
        depth = 0
        for j, t in enumerate(stmt):
            if t.text == '(':
                if (depth == 0 and j > 0 and stmt[j - 1].kind == 'id'
                        and stmt[j - 1].text not in KEYWORDS
                        and stmt[j - 1].text not in ATTRIBUTES):
                    out.append((j - 1, j, matching(stmt, j)))
                elif (depth == 0 and j >= 3 and stmt[j - 1].text == ')'
                      and stmt[j - 2].kind == 'id'
                      and stmt[j - 3].text == '('
                      and stmt[j - 2].text not in KEYWORDS
                      and (j == 3 or stmt[j - 4].kind == 'id'
                           or stmt[j - 4].text == '*')):
                    out.append((j - 2, j, matching(stmt, j)))
                depth += 1
            elif t.text == ')':
                depth -= 1
        return out

    def declaration(self, stmt):
        """A file-scope declaration or macro invocation ended by ';'."""
        if not stmt:
            return
        words = {t.text for t in stmt}
        if 'static' in words and 'typedef' not in words:
            for k, _, _ in self.declarators(stmt):
                self.static_protos.add(stmt[k].text)
        # EXPORT_SYMBOL_GPL(x), DEFINE_MUTEX(m), static int a = FOO(1): a
        # prototype's declarator is no call, but no macro is named like
        # the function it declares either.
        self.find_calls(stmt, '<file scope>', set(), True)

    def function(self, head, body, brace):
        cands = self.declarators(head)
        lines = range(head[0].line, brace.line + 1)
        known = [c for c in cands
                 if any(ln in lines for ln in
                        self.ctags_funcs.get(head[c[0]].text, ()))]
        blind = [c for c in cands if head[c[0] + 1].text == ')']
        ctags_blind = False
        if len(known) == 1:
            k, op, cl = known[0]
        elif not known and len(blind) == 1:
            k, op, cl = blind[0]
            ctags_blind = True
        elif cands:
            k, op, cl = cands[-1]
            self.problems.append(
                '%s:%d: ctags has no function %s here (%s)' %
                (self.rel, head[k].line, head[k].text,
                 'candidates: ' + ', '.join(head[c[0]].text for c in cands)))
        else:
            self.problems.append('%s:%d: a function without a name' %
                                 (self.rel, brace.line))
            return
        name = head[k].text
        words = {t.text for t in head[:k]}
        static = 'static' in words or name in self.static_protos
        self.defs.append(Def(name, 'function', static, self.rel,
                             head[k].line))
        if ctags_blind:
            self.ctags_blind.add(name)
        # macros in the head: attributes, and invocations before it that
        # had no ';' (FORWARD(...) FORWARD(...) int foo(void) {)
        self.find_calls(head, '<file scope>', set(), True)
        # callbacks among the parameters: calling one is no call of the
        # function of that name
        params = set()
        for group in split_commas(head[op + 1:cl]):
            if '[' in [t.text for t in group]:
                group = group[:[t.text for t in group].index('[')]
            ids = [j for j, t in enumerate(group) if t.kind == 'id'
                   and t.text not in KEYWORDS]
            fp = fnptr_names(group)
            if fp:
                params.update(fp)
            elif ids:
                params.add(group[ids[-1]].text)
        self.find_calls(body, name, params | local_names(body), False)

    def find_calls(self, toks, caller, shadow, macro_only):
        for j in range(len(toks) - 1):
            t = toks[j]
            if t.kind != 'id' or toks[j + 1].text != '(':
                continue
            name = t.text
            if name in KEYWORDS or name in shadow:
                continue
            prev = toks[j - 1] if j else None
            if prev is not None:
                if prev.text in ('.', '->', '##', '#'):
                    continue
                if (not macro_only and prev.kind == 'id'
                        and prev.text not in CALL_AFTER):
                    continue      # `int foo(...)`: a declaration
            self.calls.append(Call(name, t.line, caller, macro_only))
        # `(name)(args)`: a call that no macro named so expands
        for j in range(1, len(toks) - 3):
            if (toks[j].text == '(' and toks[j + 1].kind == 'id'
                    and toks[j + 2].text == ')' and toks[j + 3].text == '('
                    and (toks[j - 1].kind != 'id'
                         or toks[j - 1].text in CALL_AFTER)
                    and toks[j - 1].text not in (')', ']', '.', '->')):
                name = toks[j + 1].text
                if name not in KEYWORDS and name not in shadow:
                    self.calls.append(Call(name, toks[j + 1].line, caller,
                                           macro_only))


def split_commas(toks):
    groups, cur, depth = [], [], 0
    for t in toks:
        if t.text in '([{':
            depth += 1
        elif t.text in ')]}':
            depth -= 1
        if t.text == ',' and depth == 0:
            groups.append(cur)
            cur = []
        else:
            cur.append(t)
    groups.append(cur)
    return groups


def fnptr_names(toks):
    """Names declared as `(*name)` or `(* const name)`."""
    out = set()
    for j in range(len(toks) - 2):
        if toks[j].text == '(' and toks[j + 1].text == '*':
            k = j + 2
            while k < len(toks) and toks[k].text in ('const', 'volatile',
                                                      '*'):
                k += 1
            if (k + 1 < len(toks) and toks[k].kind == 'id'
                    and toks[k + 1].text == ')'):
                out.add(toks[k].text)
    return out


def local_names(body):
    """Locals that may hold a function pointer: `(*name)` declarators and
    `type name` followed by = ; , [ (a typedef'd callback type)."""
    out = fnptr_names(body)
    for j in range(1, len(body) - 1):
        t, prev, nxt = body[j], body[j - 1], body[j + 1]
        if (t.kind == 'id' and prev.kind == 'id' and nxt.text in ('=', ';',
                                                                 ',', '[')
                and prev.text not in CALL_AFTER
                and prev.text not in ('struct', 'union', 'enum')
                and t.text not in KEYWORDS):
            out.add(t.text)
    return out


# -- ctags ---------------------------------------------------------------

def ctags_defs(root, files):
    """{rel: {'function': {name: [(line, static)]}, 'macro': {...}}}"""
    if not files:
        return {}
    exe = shutil.which('ctags')
    if not exe:
        raise RuntimeError('no ctags: install universal-ctags '
                           '(test/vm/deps.sh vm)')
    cmd = [exe, '--output-format=json', '--languages=C',
           '--langmap=C:.c.h', '--kinds-C=fd', '--fields=+nSK',
           '--fields-C=+{properties}', '-f', '-', '-L', '-']
    r = subprocess.run(cmd, cwd=root, input='\n'.join(files) + '\n',
                       capture_output=True, text=True, check=False)
    if r.returncode != 0 or 'Universal Ctags' not in version(exe):
        raise RuntimeError('ctags failed (universal-ctags needed): ' +
                           r.stderr.strip())
    out = {}
    for ln in r.stdout.splitlines():
        tag = json.loads(ln)
        if tag.get('_type') != 'tag':
            continue
        kind = tag['kind']
        if kind == 'macro' and 'signature' not in tag:
            continue      # object-like
        static = 'static' in tag.get('properties', '').split(',')
        per = out.setdefault(tag['path'], {'function': {}, 'macro': {}})
        per[kind].setdefault(tag['name'], []).append((tag['line'], static))
    return out


_VERSION = {}


def version(exe):
    if exe not in _VERSION:
        _VERSION[exe] = subprocess.run([exe, '--version'],
                                       capture_output=True, text=True,
                                       check=False).stdout
    return _VERSION[exe]


# -- the graph -----------------------------------------------------------

class Graph:
    def __init__(self, root, comp):
        """Read every .c and .h under root/comp."""
        self.comp = comp
        files = []
        base = os.path.join(root, comp)
        for d, dirs, names in os.walk(base):
            dirs.sort()
            for f in sorted(names):
                if f.endswith(('.c', '.h')):
                    files.append(os.path.relpath(os.path.join(d, f), root))
        self.files = files
        tags = ctags_defs(root, files)
        self.problems = []
        self.src = {}
        for rel in files:
            with open(os.path.join(root, rel), encoding='utf-8',
                      errors='replace') as f:
                text = f.read()
            ct = tags.get(rel, {'function': {}, 'macro': {}})
            sf = SourceFile(rel, text, {k: [ln for ln, _ in v] for k, v in
                                        ct['function'].items()})
            self.src[rel] = sf
            self.problems += sf.problems
            self.cross_check(sf, ct)
        self.edges = {}     # (b, a) -> {callee: set(callers)}
        self.notes = []
        self.resolve()

    def cross_check(self, sf, ct):
        """Our definitions against ctags': same names, same linkage."""
        for kind in ('function', 'macro'):
            ours = {}
            for d in sf.defs:
                if d.kind == kind:
                    ours.setdefault(d.name, []).append(d)
            theirs = ct[kind]
            for name in sorted(set(ours) | set(theirs)):
                if name not in theirs and name in sf.ctags_blind:
                    continue
                if name not in theirs:
                    for d in ours[name]:
                        sf_line = d.line
                        self.problems.append(
                            '%s:%d: %s %s: ctags does not see it' %
                            (sf.rel, sf_line, kind, name))
                    continue
                if name not in ours:
                    for ln, _ in theirs[name]:
                        self.problems.append(
                            '%s:%d: %s %s: ctags sees it, we do not' %
                            (sf.rel, ln, kind, name))
                    continue
                if kind == 'function':
                    ts = {s for _, s in theirs[name]}
                    for d in ours[name]:
                        if d.static not in ts and not (
                                name in sf.static_protos and d.static):
                            self.problems.append(
                                '%s:%d: function %s: static for ctags: %s'
                                ', for us: %s' % (sf.rel, d.line, name,
                                                  sorted(ts), d.static))

    def closure(self, rel):
        """Component files that rel includes, transitively."""
        seen = set()
        todo = [rel]
        while todo:
            f = todo.pop()
            for inc in self.src[f].includes:
                p = os.path.normpath(os.path.join(os.path.dirname(f), inc))
                if p in self.src and p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    def resolve(self):
        defs = {}
        for sf in self.src.values():
            for d in sf.defs:
                defs.setdefault(d.name, []).append(d)
        for b, sf in self.src.items():
            local = {d.name for d in sf.defs}
            inc = None
            for c in sf.calls:
                if c.name in local or c.name not in defs:
                    continue
                others = [d for d in defs[c.name] if d.file != b
                          and (d.kind == 'macro' or not c.macro_only)]
                # a .c file's non-static functions, for everyone
                vis = [d for d in others if not d.file.endswith('.h')
                       and d.kind == 'function' and not d.static]
                # a header's functions and macros, for its includers
                hdr = [d for d in others if d.file.endswith('.h')]
                if hdr:
                    if inc is None:
                        inc = self.closure(b)
                    seen = [d for d in hdr if d.file in inc]
                    if seen:
                        vis += seen
                    elif not vis:
                        vis = hdr
                        self.notes.append(
                            '%s:%d: %s resolved in %s, which %s does not '
                            'include' % (b, c.line, c.name, ', '.join(
                                sorted({d.file for d in hdr})), b))
                targets = sorted({d.file for d in vis})
                if len(targets) > 1:
                    self.notes.append('%s:%d: %s defined in %s: an edge to '
                                      'each' % (b, c.line, c.name,
                                                ', '.join(targets)))
                for a in targets:
                    e = self.edges.setdefault((b, a), {})
                    e.setdefault(c.name, set()).add(c.caller)

    def sccs(self):
        """Strongly connected components of more than one file (Tarjan)."""
        succ = {}
        for (b, a) in self.edges:
            succ.setdefault(b, []).append(a)
        index, low, onstack, stack, out = {}, {}, set(), [], []
        counter = [0]
        for v0 in sorted(self.src):
            if v0 in index:
                continue
            work = [(v0, iter(sorted(succ.get(v0, ()))))]
            index[v0] = low[v0] = counter[0]
            counter[0] += 1
            stack.append(v0)
            onstack.add(v0)
            while work:
                v, it = work[-1]
                for w in it:
                    if w not in index:
                        index[w] = low[w] = counter[0]
                        counter[0] += 1
                        stack.append(w)
                        onstack.add(w)
                        work.append((w, iter(sorted(succ.get(w, ())))))
                        break
                    if w in onstack:
                        low[v] = min(low[v], index[w])
                else:
                    work.pop()
                    if work:
                        u = work[-1][0]
                        low[u] = min(low[u], low[v])
                    if low[v] == index[v]:
                        comp = []
                        while True:
                            w = stack.pop()
                            onstack.discard(w)
                            comp.append(w)
                            if w == v:
                                break
                        if len(comp) > 1:
                            out.append(sorted(comp))
        return sorted(out)

    def loops(self, comp):
        """The elementary cycles inside a strongly connected component,
        each from its smallest file, shortest first."""
        succ = {v: sorted(a for (b, a) in self.edges if b == v and a in comp)
                for v in comp}
        out = []
        budget = [100000]     # steps: a dense component has many loops
        for start in sorted(comp):
            path = [start]

            def walk(v):
                for w in succ[v]:
                    budget[0] -= 1
                    if budget[0] < 0:
                        return
                    if w == start:
                        out.append(list(path))
                    elif w > start and w not in path:
                        path.append(w)
                        walk(w)
                        path.pop()
            walk(start)
        out.sort(key=lambda c: (len(c), c))
        return out

    def edge_text(self, b, a):
        fns = self.edges[(b, a)]
        return '%s -> %s: %s' % (b, a, ', '.join(
            '%s (%s)' % (f, ', '.join(sorted(fns[f]))) for f in sorted(fns)))

    def report(self):
        """(ok, diagnostic lines)"""
        lines = []
        cycles = self.sccs()
        for k, comp in enumerate(cycles, 1):
            lines.append('cycle %d: %s' % (k, ' '.join(comp)))
            loops = self.loops(comp)
            for c in loops[:20]:
                lines.append('  loop: ' + ' -> '.join(c + c[:1]))
            if len(loops) > 20:
                lines.append('  loop: ... %d more' % (len(loops) - 20))
            lines.append('  edges:')
            for b in comp:
                for a in comp:
                    if (b, a) in self.edges:
                        lines.append('    ' + self.edge_text(b, a))
        if self.problems:
            lines.append('the checker cannot trust its reading of:')
            lines += ['  ' + p for p in self.problems]
        if not self.files:
            lines.append('no C sources')
        return not cycles and not self.problems, lines


def components(root):
    out = [c for c in FIXED_COMPONENTS if os.path.isdir(os.path.join(root, c))]
    ddir = os.path.join(root, 'drivers')
    if os.path.isdir(ddir):
        out[1:1] = ['drivers/' + d for d in sorted(os.listdir(ddir))
                    if os.path.isdir(os.path.join(ddir, d))]
    sdir = os.path.join(root, 'samples')
    if os.path.isdir(sdir):
        out += ['samples/' + d for d in sorted(os.listdir(sdir))
                if os.path.isdir(os.path.join(sdir, d))]
    return out


# -- self-test -----------------------------------------------------------

SELF_TESTS = [
    ('a 2-file loop, kernel style', {
        'a.c': r'''
#include <linux/module.h>
#include "ab.h"

int __must_check
a_first(struct foo *f,
        int flags)
{
	return b_second(f, flags) ? 0 : -EINVAL;
}
EXPORT_SYMBOL_GPL(a_first);

static noinline int a_helper(void)
{
	return 0;
}

int a_third(void)
{
	return a_helper();
}
''',
        'b.c': r'''
#include "ab.h"

int b_second(struct foo *f, int flags)
{
	if (flags)
		return a_third();
	return 1;
}
''',
        'ab.h': r'''
int a_first(struct foo *f, int flags);
int a_third(void);
int b_second(struct foo *f, int flags);
''',
    }, {('a.c', 'b.c', 'b_second'), ('b.c', 'a.c', 'a_third')},
        [['a.c', 'b.c']]),

    ('a 3-file loop, library style', {
        'x.c': r'''
#include "internal.h"

WD_EXPORT int wd_x(struct wd_queue *q)
{
	return wd_y(q, 1);
}
''',
        'y.c': r'''
#include "internal.h"

WD_EXPORT int
wd_y(struct wd_queue *q,
     int n)
{
	q->cb(q);
	return wd_z(q) + n;
}
''',
        'z.c': r'''
#include "internal.h"

static __attribute__((unused)) int wd_unused(void) { return 0; }

int wd_z(struct wd_queue *q)
{
	return q->depth ? wd_x(q) : 0;
}
''',
        'internal.h': r'''
#define WD_EXPORT	__attribute__((visibility("default")))
struct wd_queue { int depth; void (*cb)(struct wd_queue *q); };
int wd_x(struct wd_queue *q);
int wd_y(struct wd_queue *q, int n);
int wd_z(struct wd_queue *q);
''',
    }, {('x.c', 'y.c', 'wd_y'), ('y.c', 'z.c', 'wd_z'),
        ('z.c', 'x.c', 'wd_x')},
        [['x.c', 'y.c', 'z.c']]),

    ('no loop: same-named statics, members, locals, declarations', {
        'p.c': r'''
#include "pq.h"
#include "util.h"

static int helper(int x)
{
	return x + 1;
}

static void log_msg(const char *m)
{
	(void)m;
}

int p_api(void)
{
	log_msg("p");
	return q_api() + helper(1) + helper2();
}
''',
        'util.h': r'''
static inline int helper2(void)
{
	return 2;
}
''',
        'q.c': r'''
#include "pq.h"

typedef int (*api_fn)(void);
struct ops { int (*p_api)(void); api_fn helper; };
static struct ops table = { .p_api = p_api, };

static int helper(int x)
{
	return x * 2;
}

int q_api(void)
{
	struct ops *o = &table;
	struct ops s = table;
	int p_local = 0;

	p_local += o->p_api() + s.p_api() + o->helper();
	return helper(p_local);
}

int q_other(void)
{
	api_fn p_api = table.p_api;

	return p_api();
}

static int q_param(api_fn p_api)
{
	return p_api();
}

/* its own helper2(), not util.h's, which it does not include */
static int helper2(void)
{
	return 3;
}

int q_more(void)
{
	int p_api(void);	/* a declaration, not a call */

	log_msg("q");		/* from a library: p.c's is static */
	return helper2();
}

static int run(int (*p_api)(void), api_fn helper2)
{
	return p_api() + helper2();
}
''',
        'pq.h': r'''
int p_api(void);
int q_api(void);
''',
    }, {('p.c', 'q.c', 'q_api'), ('p.c', 'util.h', 'helper2')}, []),

    ('no loop: calls in comments, strings, #if 0', {
        'm.c': r'''
#include "mn.h"

int m_api(void)
{
	int n;

	/* each call is found only if the literals before it lexed right */
	putchar('"'); n = n_api(); puts("x");
	puts("/* no comment"); n += n_other();
	return n;
}
''',
        'n.c': r'''
#include <stdio.h>
#include "mn.h"

/* n_api() must not call m_api() back:
 * m_api(); */
int n_api(void)
{
	/* m_api(); would loop */
	// m_api() here would make a loop
	puts("m_api()");
	putchar('(');
	puts("\"m_api(\" \
m_api()");
#if 0
	m_api();
#endif
#if 1
	return 0;
#else
	return m_api();
#endif
}

int n_other(void)
{
	return 1;
}
''',
        'mn.h': r'''
int m_api(void);
int n_api(void);
int n_other(void);
''',
    }, {('m.c', 'n.c', 'n_api'), ('m.c', 'n.c', 'n_other')}, []),

    ('a header loop: static inline and function-like macro', {
        'h.c': r'''
#include "h.h"

int h_slow(int x)
{
	return H_FAST(x);
}
''',
        'h.h': r'''
#ifndef H_H
#define H_H
int h_slow(int x);
#define H_FAST(x)	((x) + 1)
#define H_INIT(x)	{ .v = (x) }
static inline int h_get(int x)
{
	return x > 0 ? H_FAST(x) : h_slow(x);
}
#endif
''',
        'u.c': r'''
#include "h.h"

static struct { int v; } u_table[] = { H_INIT(1), H_INIT(2) };

int u_use(void)
{
	return h_get(1);
}
''',
    }, {('h.c', 'h.h', 'H_FAST'), ('h.h', 'h.c', 'h_slow'),
        ('u.c', 'h.h', 'h_get'), ('u.c', 'h.h', 'H_INIT')},
        [['h.c', 'h.h']]),

    ('config stubs: the .c and the included header, not another header', {
        'k.c': r'''
#include "k.h"

void k_count(int delta)
{
	(void)delta;
}
''',
        'k.h': r'''
#ifdef CONFIG_K
void k_count(int delta);
#else
static inline void k_count(int delta)
{
}
#endif
''',
        'other.h': r'''
static inline void k_count(int delta)
{
}
''',
        'user.c': r'''
#include "k.h"

void user(void)
{
	k_count(1);
}
''',
    }, {('user.c', 'k.c', 'k_count'), ('user.c', 'k.h', 'k_count')}, []),
]


def self_test(first):
    """Run the self-test cases; returns (lines, failures)."""
    out, failures = [], 0
    for k, (title, files, want_edges, want_cycles) in enumerate(SELF_TESTS):
        d = tempfile.mkdtemp(prefix='wd-callgraph.')
        try:
            os.makedirs(os.path.join(d, 'c'))
            for name, text in files.items():
                with open(os.path.join(d, 'c', name), 'w') as f:
                    f.write(text)
            try:
                g = Graph(d, 'c')
                err = None
            except (RuntimeError, OSError) as e:
                g, err = None, str(e)
        finally:
            shutil.rmtree(d)
        diag = []
        if g is not None:
            def strip(p):
                return p[2:] if p.startswith('c/') else p
            got_edges = {(strip(b), strip(a), f)
                         for (b, a), fns in g.edges.items() for f in fns}
            got_cycles = [[strip(p) for p in c] for c in g.sccs()]
            if got_edges != want_edges:
                diag.append('edges: got %s' % sorted(got_edges))
                diag.append('  want %s' % sorted(want_edges))
            if got_cycles != want_cycles:
                diag.append('cycles: got %s, want %s' % (got_cycles,
                                                         want_cycles))
            diag += ['problem: ' + p for p in g.problems]
        else:
            diag.append(err)
        ok = not diag
        failures += not ok
        out.append('%sok %d self-test: %s' % ('' if ok else 'not ',
                                              first + k, title))
        out += ['# ' + x for x in diag]
    return out, failures


def main(argv):
    args = argv[1:]
    root = TOP
    only_self = False
    verbose = False
    comps = []
    while args:
        a = args.pop(0)
        if a == '--self-test':
            only_self = True
        elif a in ('-v', '--verbose'):
            verbose = True
        elif a == '--root' and args:
            root = args.pop(0)
        elif a in ('-h', '--help'):
            print(__doc__)
            return 0
        elif a.startswith('-'):
            print('callgraph_test: unknown option %s' % a, file=sys.stderr)
            return 2
        else:
            comps.append(a.rstrip('/'))
    if not comps and not only_self:
        comps = components(root)
    print('1..%d' % (len(SELF_TESTS) + len(comps)))
    lines, failures = self_test(1)
    print('\n'.join(lines), flush=True)
    for k, comp in enumerate(comps, len(SELF_TESTS) + 1):
        try:
            g = Graph(root, comp)
            ok, diag = g.report()
            if verbose:
                diag += ['note: ' + x for x in g.notes]
        except (RuntimeError, OSError) as e:
            ok, diag = False, [str(e)]
        failures += not ok
        print('%sok %d %s/: no file calls back into a file that calls it' %
              ('' if ok else 'not ', k, comp))
        for x in diag:
            print('# ' + x)
        sys.stdout.flush()
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
