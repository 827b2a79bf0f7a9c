"""The evidence of a violated or inconclusive invariant, as HTML a person can read.

The checkers (``harness.invariants``) attach evidence as JSON-ready dicts of many shapes: an op
with the state observed before and after it and the states the model allowed; a linearizability
search with the ops it could not place; a transition the table forbids; a gap in the sequence
numbers; a resource over its limit. ``report.json`` keeps them verbatim. Here each item becomes:

- its ``why`` (or ``problem``) as the first line,
- an op (``op_id`` + ``op``) as one line: ``#6 recover() by operator -> ok, value False``,
- ``pre`` / ``post`` observations side by side, the fields that changed marked (state, configured,
  pending, the configuration digest, the transition sequence number),
- ``allowed`` model states as a list,
- lists of dicts (``stuck_ops``, ``transitions``, ``other_actor``) as tables,
- everything else as a key/value table, nested values rendered the same way.

Nothing is dropped: every key of every item is shown (long lists are cut at ``MAX_ROWS`` with the
number left out said), so the HTML is as complete as the JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

from markupsafe import Markup, escape

__all__ = ["MAX_ROWS", "render_evidence", "render_value"]

#: rows of a list shown before "... N more"
MAX_ROWS = 50
#: keys shown by the item's own layout (not repeated in its key/value table)
_OP_KEYS = ("op_id", "process", "op", "args", "outcome", "value", "error", "meta")
_OBS_ORDER = ("state", "configured", "pending", "config", "seq")


def _scalar(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "-"
        return f"{v:.6g}"
    return str(v)


def _short_json(v: Any, limit: int = 300) -> str:
    text = json.dumps(v, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + " ..."


def render_value(v: Any, depth: int = 0) -> Markup:
    """Any JSON value: scalars as text, dicts as key/value tables, lists of dicts as tables."""
    if isinstance(v, dict):
        if not v:
            return Markup("<span class=small>{}</span>")
        if depth >= 3:
            return Markup("<code>{}</code>").format(_short_json(v))
        rows = Markup("").join(Markup("<tr><th>{}</th><td>{}</td></tr>").format(k, render_value(x, depth + 1))
                               for k, x in v.items())
        return Markup("<table class=kv>{}</table>").format(rows)
    if isinstance(v, (list, tuple)):
        if not v:
            return Markup("<span class=small>none</span>")
        if all(isinstance(x, dict) for x in v) and depth < 3:
            return _table(list(v), depth)
        if all(not isinstance(x, (dict, list, tuple)) for x in v):
            shown = ", ".join(_scalar(x) for x in v[:MAX_ROWS])
            more = f" ... {len(v) - MAX_ROWS} more" if len(v) > MAX_ROWS else ""
            return Markup("{}{}").format(shown, more)
        items = Markup("").join(Markup("<li>{}</li>").format(render_value(x, depth + 1)) for x in v[:MAX_ROWS])
        return Markup("<ul>{}</ul>{}").format(items, _more(len(v)))
    return escape(_scalar(v))


def _more(n: int) -> Markup:
    return Markup("<p class=small>... {} more (all in report.json)</p>").format(n - MAX_ROWS) \
        if n > MAX_ROWS else Markup("")


def _table(rows: list[dict[str, Any]], depth: int) -> Markup:
    cols: list[str] = []
    for r in rows[:MAX_ROWS]:
        cols.extend(k for k in r if k not in cols)
    head = Markup("").join(Markup("<th>{}</th>").format(c) for c in cols)
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(Markup("").join(
            Markup("<td>{}</td>").format(render_value(r.get(c), depth + 1) if c in r else "")
            for c in cols))
        for r in rows[:MAX_ROWS])
    return Markup("<table class=ev><tr>{}</tr>{}</table>{}").format(head, body, _more(len(rows)))


def _op_line(item: dict[str, Any]) -> Markup:
    """``#6 recover() by operator -> ok, value false`` (what the op was asked and what it did)."""
    args = item.get("args") or []
    arg_text = ", ".join(_short_json(a, 80) for a in args) if isinstance(args, list) else _short_json(args, 80)
    parts = [Markup("<b>op #{}</b> <code>{}({})</code>").format(_scalar(item.get("op_id")), item.get("op"),
                                                                arg_text)]
    if item.get("process") is not None:
        parts.append(Markup(" by <b>{}</b>").format(_scalar(item["process"])))
    outcome = item.get("outcome")
    if outcome is not None:
        parts.append(Markup(" &rarr; <b>{}</b>").format(outcome))
    if "value" in item and item["value"] is not None:
        parts.append(Markup(", returned <code>{}</code>").format(_short_json(item["value"], 120)))
    if item.get("error"):
        parts.append(Markup(", error <code>{}</code>").format(_short_json(item["error"], 120)))
    if item.get("meta"):
        parts.append(Markup(" <span class=small>meta {}</span>").format(_short_json(item["meta"], 160)))
    return Markup("").join(parts)


def _observations(pre: Any, post: Any) -> Markup:
    """``pre`` and ``post`` side by side: one row per field, a changed field marked."""
    pre_d = pre if isinstance(pre, dict) else {}
    post_d = post if isinstance(post, dict) else {}
    keys = [k for k in _OBS_ORDER if k in pre_d or k in post_d]
    keys += [k for k in [*pre_d, *post_d] if k not in keys]
    names = {"config": "config digest", "seq": "transition seq"}
    rows = Markup("").join(
        Markup("<tr{}><th>{}</th><td>{}</td><td>{}</td></tr>").format(
            Markup(" class=changed") if pre_d.get(k) != post_d.get(k) else "", names.get(k, k),
            render_value(pre_d.get(k), 2) if pre is not None else "-",
            render_value(post_d.get(k), 2) if post is not None else "-")
        for k in dict.fromkeys(keys))
    return Markup("<table class=obs><tr><th></th><th>before (pre)</th><th>after (post)</th></tr>{}</table>"
                  ).format(rows)


def _model_state(s: Any) -> str:
    if isinstance(s, (list, tuple)):
        return "(" + ", ".join(_scalar(x) for x in s) + ")"
    return _scalar(s)


def _item(item: Any) -> Markup:
    if not isinstance(item, dict):
        return Markup("<div class=evitem>{}</div>").format(render_value(item))
    parts: list[Markup] = []
    used: set[str] = set()
    for key in ("why", "problem"):
        if key in item:
            parts.append(Markup("<div class=why>{}</div>").format(_scalar(item[key])))
            used.add(key)
    if "op_id" in item and "op" in item:
        parts.append(Markup("<div>{}</div>").format(_op_line(item)))
        used.update(k for k in _OP_KEYS if k in item)
    if "pre" in item or "post" in item:
        parts.append(_observations(item.get("pre"), item.get("post")))
        used.update(("pre", "post"))
    if "allowed" in item:
        allowed = item["allowed"] or []
        parts.append(Markup("<div>states the model allows after it: {}</div>").format(
            Markup(", ").join(Markup("<code>{}</code>").format(_model_state(a)) for a in allowed)
            if allowed else Markup("<b>none</b>")))
        used.add("allowed")
    if "stuck_ops" in item:
        parts.append(Markup("<div>the search linearized {} of {} ops (model state then: <code>{}</code>, {} "
                            "states explored); the ops it could not place:</div>{}").format(
            _scalar(item.get("linearized")), _scalar(item.get("of")), _model_state(item.get("model_state")),
            _scalar(item.get("explored")), render_value(item["stuck_ops"], 1)))
        used.update(("stuck_ops", "linearized", "of", "model_state", "explored"))
    rest = {k: v for k, v in item.items() if k not in used}
    if rest:
        parts.append(render_value(rest))
    return Markup("<div class=evitem>{}</div>").format(Markup("").join(parts))


def render_evidence(evidence: Any) -> Markup:
    """Every evidence item of one invariant (a list, as in ``details.evidence``), readable."""
    items = list(evidence) if isinstance(evidence, (list, tuple)) else [evidence]
    if not items:
        return Markup("<p class=small>The check recorded no evidence.</p>")
    out = Markup("").join(_item(i) for i in items[:MAX_ROWS])
    return out + _more(len(items))
