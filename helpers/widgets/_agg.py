"""An Agg canvas that draws text from remembered glyphs: the same pixels as Matplotlib's, faster.

Matplotlib 3.11's Agg renderer draws a text one glyph at a time: it lays the string out with
FreeType, then for every glyph sets the font's size and transform, asks FreeType to render the
glyph, and blends the bitmap into the canvas. An explorer redraws its titles on every update
("final loss 0.123"), and rendering glyphs was the largest part of a redraw (about 3 ms a title).

FreeType renders a glyph from its outline moved by the pen position in 1/64 pixel. Moving it by a
whole pixel moves the bitmap by one pixel and changes nothing else, so the bitmap depends on the
glyph, the font, its size, the angle and only the *fractional* part of the position (64 x 64
cases). :class:`GlyphCachingRenderer` remembers each bitmap under that key and blends the
remembered bitmap, shifted by the whole-pixel part, exactly where Matplotlib would have blended
a fresh one. It also remembers each string's layout (which does not depend on the position).
Mathtext, TeX and non-antialiased text go the usual way. ``tests/test_widgets.py`` compares its
pixels with Matplotlib's, byte for byte, over many strings, sizes, weights, angles and positions.
"""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.ft2font import RenderMode

#: Remembered glyph bitmaps and string layouts per renderer (least recently used dropped first).
GLYPHS_KEPT = 4096
LAYOUTS_KEPT = 1024


class GlyphCachingRenderer(RendererAgg):
    """:class:`RendererAgg` whose ``draw_text`` reuses glyph bitmaps it rendered before."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._glyphs: OrderedDict = OrderedDict()
        self._layouts: OrderedDict = OrderedDict()
        #: Glyphs drawn from memory and glyphs rendered by FreeType, since this renderer was made.
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _remember(store: OrderedDict, key, value, limit: int) -> None:
        store[key] = value
        if len(store) > limit:
            store.popitem(last=False)

    def _layout(self, font, s: str, size: float, flags, mtext) -> tuple:
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        key = (font.fname, size, self.dpi, s, flags, None if features is None else tuple(features), language)
        items = self._layouts.get(key)
        if items is None:
            items = tuple((item.ft_object, item.glyph_index, item.x, item.y)
                          for item in font._layout(s, flags=flags, features=features, language=language))
            self._remember(self._layouts, key, items, LAYOUTS_KEPT)
        else:
            self._layouts.move_to_end(key)
        return items

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not gc.get_antialiased():
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        flags = get_hinting_flag()
        font = self._prepare_font(prop)
        size = prop.get_size_in_points()
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        matrix = None
        height = self.height
        for ft_object, glyph_index, dx, dy in self._layout(font, s, size, flags, mtext):
            # The pen position as Matplotlib computes it, in 1/64 pixel (FreeType's y is upwards).
            px = round(0x40 * (x + dx * cos - dy * sin))
            py = round(0x40 * (height - y + dx * sin + dy * cos))
            key = (ft_object.fname, size, self.dpi, glyph_index, angle, px & 63, py & 63, flags)
            glyph = self._glyphs.get(key)
            if glyph is None:
                self.misses += 1
                if matrix is None:
                    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
                ft_object.set_size(size, self.dpi)
                ft_object._set_transform(matrix, [px & 63, py & 63])  # the fraction only; shifted below
                bitmap = ft_object._render_glyph(glyph_index, flags, RenderMode.NORMAL)
                glyph = (np.array(bitmap.buffer, copy=True), bitmap.left, bitmap.top)
                self._remember(self._glyphs, key, glyph, GLYPHS_KEPT)
            else:
                self.hits += 1
                self._glyphs.move_to_end(key)
            buffer, left, top = glyph
            top += py >> 6
            # draw_text_image's y is downwards and names the bitmap's bottom edge.
            self._renderer.draw_text_image(buffer, left + (px >> 6), int(height) - top + buffer.shape[0], 0, gc)


class GlyphCachingCanvas(FigureCanvasAgg):
    """:class:`FigureCanvasAgg` drawing with a :class:`GlyphCachingRenderer`."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = GlyphCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
