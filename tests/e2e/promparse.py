"""A small parser for the Prometheus text format 0.0.4 (for assertions, not validation)."""
import re

_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def _unescape(v):
    return v.replace('\\n', '\n').replace('\\"', '"').replace('\\\\', '\\')


def parse(text):
    """Returns ({(name, frozenset(labels.items())): value}, {family: type})."""
    samples, types = {}, {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith('#'):
            parts = line.split(None, 3)
            if len(parts) >= 4 and parts[1] == 'TYPE':
                types[parts[2]] = parts[3].strip()
            continue
        m = _LINE.match(line)
        if not m:
            raise ValueError('unparsable line: %r' % line)
        name, _, labeltext, value = m.group(1), m.group(2), m.group(3), m.group(4)
        labels = {}
        if labeltext:
            for lm in _LABEL.finditer(labeltext):
                labels[lm.group(1)] = _unescape(lm.group(2))
        samples[(name, frozenset(labels.items()))] = float(value)
    return samples, types


def key(name, **labels):
    return (name, frozenset(labels.items()))
