#!/usr/bin/env python3
"""Takes the screenshots in docs/screenshots/ from the example site, with headless Chromium.

Usage: scripts/screenshots.py   (from the repository root; needs `chromium`, as scripts/test
installs it). Builds the example site into a temporary folder, then shoots each page at
desktop and phone widths, in light and dark mode. A phone is a 390-pixel-wide frame inside the
browser window, because Chromium's windows cannot be that narrow.
"""

import pathlib
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"

# (file name, page, width, height, dark, script run in the page before the shot)
SHOTS = [
    ("index-desktop.png", "index.html", 1280, 900, False, ""),
    ("index-phone-dark.png", "index.html", 390, 844, True, ""),
    ("service-desktop-dark.png", "services/checkout/index.html", 1280, 1000, True, ""),
    ("service-phone.png", "services/checkout/index.html", 390, 844, False, ""),
    ("gaps-desktop.png", "gaps/index.html", 1280, 800, False, ""),
    ("checks-desktop.png", "checks/index.html", 1280, 800, False, ""),
    ("graph-organisation.png", "graph/index.html", 1280, 900, False, ""),
    (
        "diagram-neighbourhood.png",
        "services/checkout/index.html",
        1280,
        900,
        False,
        "document.getElementById('graph-h').scrollIntoView();",
    ),
    (
        "search-desktop.png",
        "services/payments/index.html",
        1280,
        640,
        False,
        # Type into the search box as a person would; search.js answers on input events.
        "const box = document.querySelector('.site-search input'); box.focus();"
        "box.value = 'pay'; box.dispatchEvent(new Event('input', {bubbles: true}));",
    ),
]


def shoot(site, name, page, width, height, dark, script):
    frame = tempfile.NamedTemporaryFile("w", suffix=".html", delete=False)
    frame.write(
        f"""<!doctype html><body style="margin:0">
<iframe id="page" src="{(site / page).as_uri()}" style="border:0;width:{width}px;height:{height}px"></iframe>
<script>
page.onload = () => {{
  const document = page.contentDocument, window = page.contentWindow;
  {script}
}};
</script></body>"""
    )
    frame.close()
    command = [
        "chromium",
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        # The frame's page is scripted from the outer page: both are files.
        "--allow-file-access-from-files",
        "--disable-web-security",
        f"--window-size={width},{height}",
        "--virtual-time-budget=3000",
        f"--screenshot={OUT / name}",
    ]
    if dark:
        command.append("--blink-settings=preferredColorScheme=0")
    command.append(pathlib.Path(frame.name).as_uri())
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    pathlib.Path(frame.name).unlink()
    print("wrote", OUT / name)


def main():
    with tempfile.TemporaryDirectory() as temp:
        site = pathlib.Path(temp) / "site"
        subprocess.run(
            ["cargo", "run", "--release", "--quiet", "--", "build", "-o", str(site), "--today", "2026-11-28"],
            cwd=ROOT,
            check=True,
        )
        OUT.mkdir(parents=True, exist_ok=True)
        for shot in SHOTS:
            shoot(site, *shot)


if __name__ == "__main__":
    main()
