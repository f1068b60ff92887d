"""WCAG 2 contrast of every text on a page, computed from the browser's own styles (issue 13,
point 6): used by the responsive tests for the plan's pages and by the atlas's."""

from __future__ import annotations

import re

from playwright.sync_api import Page

TEXT_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg, script, style, template, [aria-hidden="true"]') || el.disabled) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const control = el.matches('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea')
      && (el.value || '').trim();
    if (!own && !control) continue;
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (rect.width <= 1 || rect.height <= 1 || style.visibility === 'hidden') continue;
    if (el.closest('.skip-link') && rect.bottom < 0) continue;
    const layers = [];
    let opacity = 1;
    for (let node = el; node; node = node.parentElement) {
      const s = getComputedStyle(node);
      opacity *= parseFloat(s.opacity);
      layers.push([s.backgroundColor, s.backgroundImage]);
    }
    const text = (el.value && control ? el.value : el.textContent).trim().slice(0, 40);
    out.push({text, tag: el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : ''), color: style.color, layers, opacity});
  }
  return out;
}"""

RGB = re.compile(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)")
Colour = tuple[float, float, float]


def _colours(text: str) -> list[tuple[Colour, float]]:
    return [((float(r), float(g), float(b)), float(a) if a else 1.0) for r, g, b, a in RGB.findall(text)]


def _over(top: Colour, alpha: float, below: Colour) -> Colour:
    r1, g1, b1 = top
    r2, g2, b2 = below
    return (r1 * alpha + r2 * (1 - alpha), g1 * alpha + g2 * (1 - alpha), b1 * alpha + b2 * (1 - alpha))


def _luminance(colour: Colour) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: Colour, other: Colour) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def backgrounds(layers: list[list[str]]) -> list[Colour]:
    """Every colour the text may stand on: the layers composed from the page up, a gradient's
    colours each in turn (the striped 'unknown' cells)."""
    below: list[Colour] = [(255.0, 255.0, 255.0)]
    for colour, image in reversed(layers):
        for rgb, alpha in _colours(colour):
            below = [_over(rgb, alpha, b) for b in below]
        stops = _colours(image) if image != "none" else []
        if stops:
            below = [_over(rgb, alpha, b) for rgb, alpha in stops for b in below]
    return below


def low_contrast(page: Page, where: str, limit: float = 4.5) -> tuple[int, dict[str, str]]:
    """How many (text, background) pairs the page shows, and those under `limit`:1."""
    checked = 0
    failures: dict[str, str] = {}
    for item in page.evaluate(TEXT_JS):
        (fg, fg_alpha), *_ = _colours(item["color"])
        for bg in backgrounds(item["layers"]):
            shown = _over(fg, fg_alpha * item["opacity"], bg)
            ratio = contrast(shown, bg)
            checked += 1
            if ratio < limit:
                key = f"{item['tag']} {item['color']} on {tuple(round(c) for c in bg)}"
                failures.setdefault(key, f"{ratio:.2f}:1 on {where}, e.g. {item['text']!r}")
    return checked, failures
