"""HTML for the chat page, built only from escaped text.

Everything that comes from a document or from the model goes through `text()` (``html.escape``,
plus Markdown escapes where the chat renders Markdown) before it is placed in a tag, so a corpus
file holding ``<script>`` or ``<img onerror=…>`` is shown as those characters, never run.
"""
from __future__ import annotations

import html
import re

from rag import Answer, Citation, messages

FLAG_BELOW = 0.5  # a sentence whose support score is under this is marked as weakly supported
EXCERPT_CHARS = 320

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_KIND_LABELS = {"comment": "commentaire de lecteur", "caption": "légende"}


def text(value: object) -> str:
    """Escape for an HTML context."""
    return html.escape(str(value), quote=True)


def chat_text(value: object) -> str:
    """Escape for the chat bubbles, which render Markdown then sanitise HTML: no markup survives."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(str(value), quote=False))


def anchor(turn: int, n: int) -> str:
    return f"rag-src-{turn}-{n}"


def answer_message(answer: Answer, turn: int) -> str:
    """The final answer for the chat: sentences as text, [n] markers as links to the sources panel."""
    if not answer.answered or not answer.sentences:
        return chat_text(answer.text)
    parts = []
    for sentence in answer.sentences:
        markers = "".join(
            f' <a class="rag-cite" href="#{anchor(turn, n)}" title="Voir la source {n}">[{n}]</a>'
            for n in sentence.citations
        )
        body = chat_text(sentence.text)
        if flagged(sentence):
            score = f" (soutien {sentence.support:.2f})" if sentence.support is not None else ""
            body = (
                f'<span class="rag-flag" title="Phrase peu étayée par les passages cités{score} : '
                f'à vérifier">⚠ {body}</span>'
            )
        parts.append(body + markers)
    message = " ".join(parts)
    notice = getattr(answer, "notice", None)
    if notice:
        message += f'\n\n<span class="rag-notice">ℹ {chat_text(notice)}</span>'
    return message


def flagged(sentence) -> bool:
    """The support check found the sentence weakly backed by its passages."""
    if not getattr(sentence, "supported", True):
        return True
    return sentence.support is not None and sentence.support < FLAG_BELOW


CURSOR = " ▌"
STOPPED = " — *réponse interrompue*"


def streaming_message(draft: str) -> str:
    """A draft while it is being generated (its markers are not checked yet)."""
    return chat_text(draft) + CURSOR


def stopped_message(content: str) -> str:
    """A draft the user stopped: said so, instead of a cursor that blinks forever."""
    return content[: -len(CURSOR)] + STOPPED if content.endswith(CURSOR) else content


def error_message(message: str) -> str:
    return "⚠ " + chat_text(message)


def user_message(question: str) -> str:
    return chat_text(question)


def highlighted(article: str, start: int, end: int, evidence: tuple[int, int] | None = None) -> str:
    """The whole article as text: the cited passage lightly marked, the sentence(s) that support the
    claim inside it strongly marked."""
    start, end = max(0, start), min(len(article), end)
    first, last = evidence if evidence and start <= evidence[0] < evidence[1] <= end else (start, end)
    return (
        text(article[:start])
        + '<mark class="rag-passage">'
        + text(article[start:first])
        + '<mark class="rag-highlight">'
        + text(article[first:last])
        + "</mark>"
        + text(article[last:end])
        + "</mark>"
        + text(article[end:])
    )


def citation_card(c: Citation, turn: int, article: str | None, open_article: bool = False,
                  related: bool = False) -> str:
    """One source; ``related``: a passage shown beside a refusal, which does not answer the question."""
    meta = [f'<span class="rag-file">Fichier : {text(c.source)}</span>']
    if c.date:
        meta.append(f"<span>Date : {text(c.date)}</span>")
    meta.append(f"<span>caractères {c.start}–{c.end}</span>")
    if c.kind in _KIND_LABELS:
        meta.append(f"<span>{text(_KIND_LABELS[c.kind])}</span>")
    evidence = (c.evidence_start, c.evidence_end) if c.evidence_start is not None else None
    excerpt = " ".join(c.evidence_text.split())
    if len(excerpt) > EXCERPT_CHARS:
        excerpt = excerpt[: EXCERPT_CHARS - 1] + "…"
    if article is not None and article[c.start : c.end] == c.text:
        body = (
            f'<details class="rag-article"{" open" if open_article else ""}>'
            "<summary>Voir le passage dans l'article</summary>"
            f'<div class="rag-article-text">{highlighted(article, c.start, c.end, evidence)}</div></details>'
        )
    else:  # the file changed or was removed since: the passage itself is all we can show
        body = f'<div class="rag-article-text">{text(c.text)}</div>'
    card_id = f"rag-rel-{turn}-{c.n}" if related else anchor(turn, c.n)
    return (
        f'<div class="rag-src{" rag-related" if related else ""}" id="{card_id}" data-n="{c.n}">'
        f'<div class="rag-src-head"><span class="rag-n">[{c.n}]</span> '
        f'<span class="rag-title">{text(c.title or c.source)}</span></div>'
        f'<div class="rag-meta">{" · ".join(meta)}</div>'
        f'<blockquote class="rag-excerpt">« {text(excerpt)} »</blockquote>{body}</div>'
    )


def turn_sources(answer: Answer, turn: int, articles: dict[str, str | None]) -> str:
    """The sources of one answer, as a block of the sources panel."""
    if not answer.citations and answer.related:
        cards = f'<p class="rag-empty">{text(messages.RELATED_PASSAGES)}</p>' + "".join(
            citation_card(c, turn, articles.get(c.source), related=True) for c in answer.related
        )
    elif not answer.citations:
        cards = '<p class="rag-empty">Aucune source pour cette réponse.</p>'
    else:
        cards = "".join(
            citation_card(c, turn, articles.get(c.source), open_article=i == 0) for i, c in enumerate(answer.citations)
        )
    query = ""
    if answer.query and answer.query.strip() != answer.question.strip():
        query = f'<div class="rag-meta">Recherche : « {text(answer.query)} »</div>'
    return (
        f'<details class="rag-turn" data-turn="{turn}" open><summary>Question {turn} : '
        f"« {text(answer.question)} »</summary>{query}{cards}</details>"
    )


def sources_panel(turns: list[str]) -> str:
    if not turns:
        return (
            '<div class="rag-sources rag-empty">Les sources de chaque réponse s\'affichent ici. '
            "Cliquez sur un renvoi [n] pour voir le passage surligné dans son article.</div>"
        )
    # newest first; older answers stay available but folded
    blocks = [turns[-1]] + [t.replace(" open>", ">", 1) for t in reversed(turns[:-1])]
    return '<div class="rag-sources">' + "".join(blocks) + "</div>"


def documents_table(documents: list[dict]) -> str:
    if not documents:
        return '<p class="rag-empty">Aucun document indexé. Ajoutez-en ci-dessus.</p>'
    rows = "".join(
        f"<tr><td>{text(d['title'] or '')}</td><td><code>{text(d['source'])}</code></td>"
        f"<td>{text(d['date'] or '—')}</td><td class='rag-num'>{int(d['chunks'])}</td></tr>"
        for d in documents
    )
    total = sum(int(d["chunks"]) for d in documents)
    return (
        f'<table class="rag-docs"><thead><tr><th>Titre</th><th>Fichier</th><th>Date</th>'
        f"<th>Passages</th></tr></thead><tbody>{rows}</tbody></table>"
        f'<p class="rag-meta">{len(documents)} document(s), {total} passage(s) indexé(s).</p>'
    )


def report(summary_lines: list[str], problems: list[str]) -> str:
    """Result of an upload, re-index or removal: what changed, and each rejected file with its reason."""
    out = "".join(f'<p class="rag-ok">{text(line)}</p>' for line in summary_lines)
    if problems:
        out += (
            '<div class="rag-problems"><strong>Fichier(s) refusé(s) :</strong><ul>'
            + "".join(f"<li>{text(p)}</li>" for p in problems)
            + "</ul></div>"
        )
    return out


CSS = """
.rag-cite { font-weight: 600; text-decoration: none !important; padding: 0 3px; border-radius: 4px;
  background: var(--color-accent-soft); color: var(--color-accent) !important; cursor: pointer; white-space: nowrap; }
.rag-cite:hover { background: var(--color-accent); color: white !important; }
.rag-flag { background: rgba(251, 191, 36, .25); text-decoration: underline wavy #d97706; text-underline-offset: 3px; }
.rag-notice { font-size: .85em; opacity: .8; }
.rag-sources { display: flex; flex-direction: column; gap: 8px; }
.rag-turn > summary { cursor: pointer; font-weight: 600; margin-bottom: 6px; }
.rag-src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 6px 0;
  transition: box-shadow .2s, border-color .2s; }
.rag-src.rag-active { border-color: var(--color-accent); box-shadow: 0 0 0 3px var(--color-accent-soft); }
.rag-src-head { font-weight: 600; }
.rag-n { color: var(--color-accent); }
.rag-meta { font-size: .85em; opacity: .8; margin: 2px 0 4px; }
.rag-excerpt { margin: 4px 0; padding-left: 8px; font-style: italic;
  border-left: 3px solid var(--border-color-primary); }
.rag-article > summary { cursor: pointer; font-size: .9em; color: var(--color-accent); }
.rag-article-text { white-space: pre-wrap; max-height: 300px; overflow-y: auto; font-size: .88em; line-height: 1.45;
  padding: 6px 8px; background: var(--background-fill-secondary); border-radius: 6px; margin-top: 4px; }
.rag-passage { background: rgba(253, 230, 138, .35); color: inherit; }
.rag-highlight { background: #fcd34d; color: #1f2937; padding: 1px 0; border-radius: 2px; font-weight: 600; }
.rag-related { opacity: .8; border-style: dashed; }
.rag-empty { opacity: .75; }
.rag-docs { width: 100%; border-collapse: collapse; font-size: .92em; }
.rag-docs th, .rag-docs td { text-align: left; padding: 4px 8px; border: none !important;
  border-bottom: 1px solid var(--border-color-primary) !important; }
.rag-docs .rag-num { text-align: right; }
.rag-problems { color: var(--error-text-color, #b91c1c); }
#rag-sources-panel { max-height: 720px; overflow-y: auto; }
"""

# Clicking a [n] marker in the chat opens that source in the panel and scrolls to its highlighted passage.
HEAD = """
<script>
(function () {
  function show(id) {
    var card = document.getElementById(id);
    if (!card) return false;
    document.querySelectorAll('.rag-src.rag-active').forEach(function (el) { el.classList.remove('rag-active'); });
    var turn = card.closest('details.rag-turn');
    if (turn) turn.open = true;
    var article = card.querySelector('details.rag-article');
    if (article) article.open = true;
    card.classList.add('rag-active');
    card.scrollIntoView({block: 'nearest'});
    var mark = card.querySelector('mark.rag-highlight');
    if (mark) {
      var box = mark.closest('.rag-article-text');
      if (box) box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - 40);
    }
    return true;
  }
  document.addEventListener('click', function (event) {
    var link = event.target && event.target.closest ? event.target.closest('a.rag-cite') : null;
    if (!link) return;
    var href = link.getAttribute('href') || '';
    if (href.charAt(0) !== '#') return;
    event.preventDefault();
    event.stopPropagation();
    show(href.slice(1));
  }, true);
})();
</script>
"""
