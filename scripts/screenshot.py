"""Regenerate docs/screenshot.png: the chat page answering a question about the shipped corpus.

    .venv/bin/python scripts/screenshot.py [--index DIR] [--generator NAME] [--question "…"] [--output FILE]

Indexes corpus/ (incrementally) into a temporary folder unless --index is given, serves the real page
on 127.0.0.1, asks the question in headless Chromium (Debian's `chromium`, driven by Playwright; no
browser download), opens the first cited source and saves a screenshot.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description="Capture d'écran de la page de discussion pour le README.")
    parser.add_argument("--index", type=Path, help="dossier d'index (défaut : un dossier temporaire)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--question", default="Qu'ont convenu Hollande et Poutine ?")
    parser.add_argument("--generator", help="mode de réponse (défaut : celui de la configuration)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "screenshot.png")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from rag import Assistant
    from ui.app import launch
    from ui.browser import launch_chromium

    temp = None if args.index else Path(tempfile.mkdtemp(prefix="rag-screenshot-"))
    try:
        assistant = Assistant.open(args.index or temp / "idx", create=True, generator=args.generator)
        print(assistant.ingest(args.corpus).summary())
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        page_app = launch(assistant, "127.0.0.1", port, block=False)
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                page = browser.new_page(viewport={"width": 1360, "height": 900}, device_scale_factor=1, locale="fr-FR")
                page.set_default_timeout(180_000)
                page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
                page.locator("#rag-question textarea").fill(args.question)
                page.locator("#rag-send").click()
                page.locator("#rag-chat a.rag-cite").first.wait_for()
                page.locator("#rag-chat a.rag-cite").first.click()
                page.locator(".rag-src.rag-active mark").wait_for()
                page.wait_for_timeout(500)  # let the scroll settle before the picture
                args.output.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.output), full_page=False)
                browser.close()
        finally:
            page_app.close()
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    print(f"Capture enregistrée : {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
