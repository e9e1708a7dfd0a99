/* geojkn's map layers: decodes the compact data a map page carries (see geojkn/maps/encoding.py and
   pagedata.py) and draws units, kecamatan outlines, facilities and names with Leaflet.

   The units are painted by our own canvas layer rather than as one Leaflet polygon each: their rings are kept as
   flat arrays of Web Mercator coordinates at zoom 0, so that drawing a view (or finding the unit under the mouse)
   is a loop of multiplications over the units in view, with no object per point. Every string from data reaches
   the page as text (textContent) or through esc(), never as markup. */
(function () {
  "use strict";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var LOOKUP = {};
  for (var c = 0; c < ALPHABET.length; c++) { LOOKUP[ALPHABET.charCodeAt(c)] = c; }
  var MISSING = "\u2013";
  var HIGHLIGHT = "#000000";
  var STROKE_CHUNK = 64;  /* arcs per stroke: a canvas strokes many short paths faster than one long one */

  /* the integers of a five-bit digit string; values may pass 2^31, so no bit operators on them */
  function varints(text) {
    var out = [], value = 0, scale = 1;
    for (var i = 0; i < text.length; i++) {
      var digit = LOOKUP[text.charCodeAt(i)];
      value += (digit & 31) * scale;
      if (digit & 32) { scale *= 32; } else { out.push(value); value = 0; scale = 1; }
    }
    return out;
  }
  function unzig(v) { return v % 2 ? -(v + 1) / 2 : v / 2; }

  /* Web Mercator at zoom 0 (256 pixels around the world), as Leaflet's EPSG:3857 projects */
  function mx(lng) { return (lng + 180) / 360 * 256; }
  function my(lat) {
    var s = Math.sin(Math.max(Math.min(lat, 85.0511287798), -85.0511287798) * Math.PI / 180);
    return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256;
  }

  /* every arc as a flat array (x, y, x, y, ...) in zoom-0 pixels; every unit's polygons as lists of rings, each ring
     a flat array; each unit's bounds; which units use each arc (for outlines) */
  function decode(topo, units) {
    var q = topo.q, x0 = topo.x0, y0 = topo.y0, stream = varints(topo.a), arcs = [], x = 0, y = 0, i = 0;
    while (i < stream.length) {
      var n = stream[i++], arc = new Float64Array(2 * n);
      for (var k = 0; k < n; k++) {
        x += unzig(stream[i]); y += unzig(stream[i + 1]); i += 2;
        arc[2 * k] = mx(x0 + x * q); arc[2 * k + 1] = my(y0 + y * q);
      }
      arcs.push(arc);
    }
    var shape = varints(topo.s), codes = varints(topo.r), refAt = 0, numbered = 0;
    var polygonsOf = shape.slice(0, units);
    var nPolys = polygonsOf.reduce(function (a, b) { return a + b; }, 0);
    var ringsOf = shape.slice(units, units + nPolys), ringAt = units + nPolys, poly = 0;
    /* the first two units that use each arc (a border has two sides), -1 for none */
    var first = new Int32Array(arcs.length).fill(-1), second = new Int32Array(arcs.length).fill(-1);
    var ids = new Int32Array(64), backs = new Uint8Array(64);
    var out = [], boxes = new Float64Array(4 * units);
    for (var u = 0; u < units; u++) {
      var parts = [], minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
      for (var p = 0; p < polygonsOf[u]; p++) {
        var rings = [];
        for (var r = 0; r < ringsOf[poly]; r++) {
          var size = shape[ringAt++], total = 0;
          if (size > ids.length) { ids = new Int32Array(2 * size); backs = new Uint8Array(2 * size); }
          for (var a = 0; a < size; a++) {
            var code = codes[refAt++], id, back = 0;
            if (code === 0) { id = numbered++; } else { back = (code - 1) % 2; id = numbered - 1 - Math.floor((code - 1) / 2); }
            if (first[id] < 0) { first[id] = u; } else if (second[id] < 0) { second[id] = u; }
            ids[a] = id; backs[a] = back;
            total += arcs[id].length / 2 - (a ? 1 : 0);
          }
          var ring = new Float64Array(2 * total), at = 0;
          for (var j = 0; j < size; j++) {
            var pts = arcs[ids[j]], m = pts.length / 2;
            for (var s = j ? 1 : 0; s < m; s++) {
              var t = backs[j] ? m - 1 - s : s;
              ring[at++] = pts[2 * t]; ring[at++] = pts[2 * t + 1];
            }
          }
          for (var e = 0; e < ring.length; e += 2) {
            if (ring[e] < minx) { minx = ring[e]; } if (ring[e] > maxx) { maxx = ring[e]; }
            if (ring[e + 1] < miny) { miny = ring[e + 1]; } if (ring[e + 1] > maxy) { maxy = ring[e + 1]; }
          }
          rings.push(ring);
        }
        poly++;
        parts.push(rings);
      }
      boxes.set([minx, miny, maxx, maxy], 4 * u);
      out.push(parts);
    }
    return {units: out, arcs: arcs, first: first, second: second, boxes: boxes};
  }

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  /* numbers the way the rest of geojkn writes them (formatting.py): 987.918 / 81,49 % (id), 987,918 (en) */
  function formatter(lang) {
    var group = lang === "id" ? "." : ",", point = lang === "id" ? "," : ".";
    function grouped(digits) { return digits.replace(/\B(?=(\d{3})+(?!\d))/g, group); }
    function dec(v, d) {
      if (v === null || v === undefined || isNaN(v)) { return MISSING; }
      var text = Math.abs(v).toFixed(d), parts = text.split(".");
      var sign = v < 0 && Number(text) !== 0 ? "-" : "";
      return sign + grouped(parts[0]) + (d ? point + parts[1] : "");
    }
    return {
      int: function (v) { return v === null || v === undefined ? MISSING : dec(Math.round(v), 0); },
      dec: dec,
      pct: function (v) { return v === null || v === undefined ? MISSING : dec(v, 2) + " %"; },
      pts: function (v) {
        if (v === null || v === undefined) { return MISSING; }
        var text = dec(Math.abs(v), 2);
        if (/^[0.,]+$/.test(text)) { return text; }
        return (v > 0 ? "+" : "\u2212") + text;
      }
    };
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function patterns(colors, hatch) {
    function tile(size, paint) {
      var canvas = document.createElement("canvas");
      canvas.width = canvas.height = size;
      var ctx = canvas.getContext("2d");
      paint(ctx, size);
      return ctx.createPattern(canvas, "repeat");
    }
    function stripes(ground, line, width, size) {
      return tile(size, function (ctx, n) {
        ctx.fillStyle = ground; ctx.fillRect(0, 0, n, n);
        ctx.strokeStyle = line; ctx.lineWidth = width;
        [[-1, 1, 1, -1], [0, n, n, 0], [n - 1, n + 1, n + 1, n - 1]].forEach(function (s) {
          ctx.beginPath(); ctx.moveTo(s[0], s[1]); ctx.lineTo(s[2], s[3]); ctx.stroke();
        });
      });
    }
    return {
      nodata: stripes(hatch[0], hatch[1], 1.5, 6),
      partial: colors.map(function (color) { return stripes(color, "#ffffff", 2.2, 7); })
    };
  }

  /* A canvas that Leaflet places, sizes and animates like its own (L.Canvas with no layers of its own), painted
     by `paint(ctx, scale, originX, originY, viewBox)`: a zoom-0 point (x, y) lies at (x * scale - originX,
     y * scale - originY) in the canvas's coordinates. */
  var Painter = L.Canvas.extend({
    initialize: function (paint, options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._paint = paint;
      this._pending = false;
      this.now = false;  /* paint at once (for paper), not at the next frame */
    },
    /* the views a page passes through before a frame is shown (the first view, the fitted one, the one fitted
       around the legend) are painted once, at the next frame */
    _draw: function () {
      L.Canvas.prototype._draw.call(this);
      if (this.now) { this._paintNow(); return; }
      if (this._pending) { return; }
      this._pending = true;
      var self = this;
      L.Util.requestAnimFrame(function () { self._pending = false; self._paintNow(); });
    },
    _paintNow: function () {
      var map = this._map, b = this._bounds;
      if (!map || !b || (map._animatingZoom && !this.now)) { return; }
      var scale = Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
      var view = [(b.min.x + origin.x) / scale, (b.min.y + origin.y) / scale,
                  (b.max.x + origin.x) / scale, (b.max.y + origin.y) / scale];
      this._ctx.save();
      this._paint(this._ctx, scale, origin.x, origin.y, view);
      this._ctx.restore();
    },
    repaint: function () {
      if (!this._map) { return; }
      var now = this.now;
      this.now = true;
      this._redraw();
      this.now = now;
    }
  });

  /* a ring's path (see line) */
  function trace(ctx, ring, scale, ox, oy) {
    line(ctx, ring, scale, ox, oy);
    ctx.closePath();
  }
  /* an open line's path (an arc), leaving out points under a pixel from the last one drawn */
  function line(ctx, arc, scale, ox, oy) {
    var lx = arc[0] * scale - ox, ly = arc[1] * scale - oy;
    ctx.moveTo(lx, ly);
    for (var i = 2; i < arc.length; i += 2) {
      var x = arc[i] * scale - ox, y = arc[i + 1] * scale - oy;
      if (Math.abs(x - lx) + Math.abs(y - ly) >= 1 || i === arc.length - 2) { ctx.lineTo(x, y); lx = x; ly = y; }
    }
  }
  function bounds(points) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    for (var i = 0; i < points.length; i += 2) {
      if (points[i] < box[0]) { box[0] = points[i]; } if (points[i] > box[2]) { box[2] = points[i]; }
      if (points[i + 1] < box[1]) { box[1] = points[i + 1]; } if (points[i + 1] > box[3]) { box[3] = points[i + 1]; }
    }
    return box;
  }
  function overlaps(boxes, u, view) {
    return boxes[4 * u] <= view[2] && boxes[4 * u + 2] >= view[0] && boxes[4 * u + 1] <= view[3] &&
      boxes[4 * u + 3] >= view[1];
  }

  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
      var xi = ring[i], yi = ring[i + 1], xj = ring[j], yj = ring[j + 1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }
  function inUnit(parts, x, y) {
    for (var p = 0; p < parts.length; p++) {
      var hits = 0;
      for (var r = 0; r < parts[p].length; r++) { if (inRing(parts[p][r], x, y)) { hits++; } }
      if (hits % 2 === 1) { return true; }
    }
    return false;
  }

  function Units(map, data, labelsGroup) {
    var self = this, fmt = formatter(data.lang), geo = decode(data.topo, data.n);
    var cls = varints(data.cls), n = data.n, style = data.style, fills = patterns(style.colors, style.hatch);
    var numbers = {}, hovered = -1, showOutline = false;
    self.map = map; self.data = data; self.geo = geo; self.fmt = fmt; self.classes = cls;
    self.parentOf = varints(data.codes.pi);
    self.codes = codes(data.codes, self.parentOf, n);
    self.parents = data.codes.p;

    /* lines thin out zoomed far out (a province's thousands of desa), full width from a kabupaten's zoom on */
    function thin() { return Math.min(1, Math.max(0.35, Math.pow(2, map.getZoom() - 10))); }
    self.thin = thin;
    function unitStyle(u) {
      var v = cls[u], k = (v & 15) - 1, partial = (v & 16) !== 0, below = (v & 32) !== 0, f = thin();
      if ((v & 64) !== 0) {  /* counts that cannot be true: no class, the no-data hatch with a dash of its own */
        return {key: "x", fill: fills.nodata, opacity: 1, color: style.oddBorder, weight: 1.6 * f, dash: [3, 2],
                cap: "butt", pass: 1};
      }
      if (k < 0) {
        return {key: "n", fill: fills.nodata, opacity: 1, color: style.nodataBorder, weight: f, dash: [4, 3],
                cap: "butt", pass: 1};
      }
      if (partial) {
        return {key: "p" + k, fill: fills.partial[k], opacity: 1, color: style.border, weight: 0.6 * f, dash: [],
                pass: 0};
      }
      if (below) {
        return {key: "c" + k, fill: style.colors[k], opacity: 0.85, color: style.belowBorder, weight: 2.2 * f,
                dash: [1, 4], cap: "round", pass: 2};
      }
      return {key: "c" + k, fill: style.colors[k], opacity: 0.85, color: style.border, weight: 0.6 * f, dash: [],
              pass: 0};
    }
    self.styleOf = unitStyle;
    var styles = [];
    /* over the plain background (no base map), a class colour at 85 % is painted as the colour it blends to:
       the same look, and no transparency for the canvas to compute */
    var tiles = false;
    map.eachLayer(function (layer) { if (layer instanceof L.TileLayer) { tiles = true; } });
    function blended(color) {
      if (tiles || typeof color !== "string" || !style.background) { return null; }
      var a = parseInt(color.slice(1), 16), b = parseInt(style.background.slice(1), 16), out = "#";
      [16, 8, 0].forEach(function (shift) {
        var v = Math.round(0.85 * ((a >> shift) & 255) + 0.15 * ((b >> shift) & 255));
        out += (v < 16 ? "0" : "") + v.toString(16);
      });
      return out;
    }
    function restyle() {
      for (var u = 0; u < n; u++) {
        var s = unitStyle(u), solid = s.opacity < 1 ? blended(s.fill) : null;
        if (solid) { s.fill = solid; s.opacity = 1; }
        styles[u] = s;
      }
    }
    restyle();

    var arcBoxes = geo.arcs.map(bounds);
    /* a view: each unit filled on its own (small paths are what a canvas fills fastest), every thin border once
       from the shared arcs, then the dashed (no data) and dotted (below the target) borders of the units that have
       them, and the kecamatan lines over everything */
    function paint(ctx, scale, ox, oy, view) {
      var special = {1: [], 2: []};
      for (var u = 0; u < n; u++) {
        if (!geo.units[u].length || !overlaps(geo.boxes, u, view)) { continue; }
        var s = styles[u];
        ctx.beginPath();
        geo.units[u].forEach(function (rings) { rings.forEach(function (ring) { trace(ctx, ring, scale, ox, oy); }); });
        ctx.globalAlpha = s.opacity;
        ctx.fillStyle = s.fill;
        ctx.fill("evenodd");
        if (s.pass) { special[s.pass].push(u); }
      }
      ctx.globalAlpha = 1;
      ctx.strokeStyle = style.border; ctx.lineWidth = 0.6 * thin(); ctx.lineJoin = "bevel"; ctx.lineCap = "butt";
      var drawn = 0;
      ctx.beginPath();
      geo.arcs.forEach(function (arc, id) {
        var b = arcBoxes[id];
        if (b[0] > view[2] || b[2] < view[0] || b[1] > view[3] || b[3] < view[1]) { return; }
        line(ctx, arc, scale, ox, oy);
        if (++drawn % STROKE_CHUNK === 0) { ctx.stroke(); ctx.beginPath(); }
      });
      ctx.stroke();
      [1, 2].forEach(function (pass) {
        special[pass].forEach(function (u) {
          var s = styles[u];
          ctx.beginPath();
          geo.units[u].forEach(function (rings) { rings.forEach(function (ring) { trace(ctx, ring, scale, ox, oy); }); });
          ctx.strokeStyle = s.color; ctx.lineWidth = s.weight; ctx.setLineDash(s.dash); ctx.lineCap = s.cap || "round";
          ctx.lineJoin = "round";
          ctx.stroke();
        });
      });
      ctx.setLineDash([]);
      if (showOutline && self.outline) { self.outline.paint(ctx, scale, ox, oy, view); }
      if (printing && map.geojknFacilities) { map.geojknFacilities.paint(ctx, scale, ox, oy, view); }
    }
    /* Chromium prints a canvas over another as if it were opaque: on paper the facilities are painted here, on
       the units' canvas, and their own canvas is hidden */
    var printing = false;
    window.addEventListener("beforeprint", function () {
      printing = true;
      painter.now = true;
      if (map.geojknFacilities) { map.geojknFacilities.hide(true); }
      painter.repaint();
    });
    window.addEventListener("afterprint", function () {
      printing = false;
      painter.now = false;
      if (map.geojknFacilities) { map.geojknFacilities.hide(false); }
      painter.repaint();
    });
    /* the unit under the mouse, outlined: one SVG path over the canvas (repainting thousands of units for it
       would lag behind the mouse) */
    if (!map.getPane("geojkn-hover")) { map.createPane("geojkn-hover").style.zIndex = 420; }
    map.getPane("geojkn-hover").style.pointerEvents = "none";
    var outlined = null, highlight = L.svg({pane: "geojkn-hover", padding: 0.1});
    function showHover() {
      if (outlined) { map.removeLayer(outlined); outlined = null; }
      if (hovered < 0) { return; }
      var latlngs = geo.units[hovered].map(function (rings) {
        return rings.map(function (ring) {
          var out = [];
          for (var i = 0; i < ring.length; i += 2) { out.push(L.CRS.EPSG3857.pointToLatLng(L.point(ring[i], ring[i + 1]), 0)); }
          return out;
        });
      });
      outlined = L.polygon(latlngs, {renderer: highlight, pane: "geojkn-hover", color: HIGHLIGHT, weight: 3,
                                     fill: false, interactive: false}).addTo(map);
    }
    var painter = new Painter(paint, {padding: 0.05});
    map.on("zoomend", restyle);  /* line widths follow the zoom; the repaint after it uses them */

    /* a served map carries the shapes within a pixel up to two zoom steps past its first view; zoomed in further
       it asks its server for the band within a pixel at the new zoom (the same units in the same order) and
       draws that instead, from then on */
    var band = data.finer ? data.finer.drawn : null, asking = null;
    function refine() {
      if (!data.finer || !window.fetch || map.getZoom() <= band) { return; }
      var zoom = map.getZoom(), zooms = data.finer.zooms, wanted = zooms[zooms.length - 1];
      for (var i = zooms.length - 1; i >= 0; i--) { if (zooms[i] >= zoom) { wanted = zooms[i]; } }
      if (wanted <= band || wanted === asking) { return; }
      asking = wanted;
      fetch(data.finer.url + "&zoom=" + wanted, {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (got) {
          if (asking === wanted) { asking = null; }
          if (!got || got.n !== n || wanted <= band) { return; }
          geo = decode(got.topo, n);
          self.geo = geo;
          arcBoxes = geo.arcs.map(bounds);
          if (self.outline) { self.outline = outline(self, data.outline); }
          band = wanted;
          showHover();
          painter.repaint();
          refine();  /* zoomed in further while it came */
        })
        .catch(function () { if (asking === wanted) { asking = null; } });
    }
    map.on("zoomend", refine);
    self.band = function () { return band; };

    self.group = L.layerGroup();
    self.group.onAdd = function (m) {
      painter.addTo(m);
      m.on("mousemove", move); m.on("click", click); m.on("mouseout", leave);
    };
    self.group.onRemove = function (m) {
      m.removeLayer(painter);
      m.off("mousemove", move); m.off("click", click); m.off("mouseout", leave);
      leave();
    };

    /* the unit under a point of the map (zoom-0 pixel coordinates), -1 when none */
    function unitOf(x, y) {
      for (var u = n - 1; u >= 0; u--) {
        var b = geo.boxes;
        if (geo.units[u].length && x >= b[4 * u] && x <= b[4 * u + 2] && y >= b[4 * u + 1] && y <= b[4 * u + 3] &&
            inUnit(geo.units[u], x, y)) { return u; }
      }
      return -1;
    }
    function zoomZero(layerPoint) {
      var scale = Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
      return [(layerPoint.x + origin.x) / scale, (layerPoint.y + origin.y) / scale];
    }
    var tip = L.tooltip({sticky: true, className: "geojkn-tip", direction: "auto", offset: [12, 0]});
    function move(e) {
      if (e.originalEvent && e.originalEvent.target && e.originalEvent.target.closest &&
          e.originalEvent.target.closest(".leaflet-control")) { leave(); return; }
      var places = map.geojknFacilities, facility = places ? places.at(e.layerPoint) : -1;
      if (places) { places.show(facility); }
      if (facility >= 0) { leave(true); return; }  /* a facility's own tooltip, over the unit's */
      var w = zoomZero(e.layerPoint), u = unitOf(w[0], w[1]);
      if (u !== hovered) {
        hovered = u;
        showHover();
        map.getContainer().style.cursor = u >= 0 && data.link ? "pointer" : "";
      }
      if (u < 0) { map.closeTooltip(tip); return; }
      tip.setContent(tooltipHtml(u)).setLatLng(e.latlng);
      if (!map.hasLayer(tip)) { map.openTooltip(tip); }
    }
    function leave(keepFacility) {
      if (hovered >= 0) { hovered = -1; showHover(); }
      map.closeTooltip(tip);
      map.getContainer().style.cursor = "";
      if (keepFacility !== true && map.geojknFacilities) { map.geojknFacilities.show(-1); }
    }
    function click(e) {
      if (!data.link) { return; }
      var w = zoomZero(e.layerPoint), u = unitOf(w[0], w[1]);
      if (u < 0) { return; }
      var target = window.top || window;
      target.location.href = data.link[0] + encodeURIComponent(self.codes[u]) + data.link[1];
    }

    function tooltipHtml(u) {
      return "<table class=\"gj-tip\">" + data.tip.map(function (row) {
        var text = cell(row, u);
        return text === "" ? "" : "<tr><th>" + row[0] + "</th><td>" + esc(text) + "</td></tr>";
      }).join("") + "</table>";
    }
    function value(col, u) {
      if (!(col in numbers)) { numbers[col] = data.num[col] ? column(data.num[col]) : null; }
      var values = numbers[col];
      return values ? values[u] : null;
    }
    function cell(row, u) {
      var kind = row[1], cols = row.slice(2), w = data.words;
      switch (kind) {
        case "name": return data.names[u];
        case "parent": return data.codes.pn[self.parentOf[u]];
        case "code": return self.codes[u];
        case "pct": return fmt.pct(value(cols[0], u));
        case "int": return fmt.int(value(cols[0], u));
        case "dec": return fmt.dec(value(cols[0], u), cols[1]);
        case "km": var km = value(cols[0], u); return km === null ? MISSING : fmt.dec(km, 1) + " km";
        case "pair": return fmt.int(value(cols[0], u)) + " / " + fmt.int(value(cols[1], u));
        case "intpct":
          var share = value(cols[1], u);
          return fmt.int(value(cols[0], u)) + (share === null ? "" : " (" + fmt.pct(share) + ")");
        case "points":
          var p = value(cols[0], u);
          if (p === null) { return MISSING; }
          var text = fmt.pts(p) + " " + w.points;
          var shares = (row[3] || []).map(function (s) {
            var v = value(s[1], u);
            return v === null ? null : s[0] + " " + fmt.pts(v);
          }).filter(function (s) { return s !== null; });
          return shares.length ? text + " (" + shares.join("; ") + ")" : text;
        case "tier":
          var t = value(cols[0], u);
          if (t === null) { return MISSING; }
          return t > 0 ? data.tiers[data.tiers.length - t] : w.below_tiers;
        case "segments":
          var given = row[2].map(function (s) {
            var v = value(s[1], u);
            return v === null ? null : s[0] + " " + fmt.int(v);
          }).filter(function (s) { return s !== null; });
          return given.join(" \u00b7 ") || MISSING;
        case "desa":
          var text2 = fill(w.desa_of, {n: fmt.int(value("desa_n", u)), total: fmt.int(value("desa_total", u))});
          var partial = (cls[u] & 16) !== 0 || (value("population", u) !== null && value("complete", u) === 0);
          return partial && value("population", u) !== null ? text2 + " (" + w.partial + ")" : text2;
        case "marks":  /* what the unit's figures stand on, where it is less than whole ("" for nothing) */
          var m = value(cols[0], u) || 0, notes = [];
          if ((m & 1) !== 0) {
            notes.push(cols[1] && value(cols[1], u) !== null ?
              fill(w.compared_of, {n: fmt.int(value(cols[1], u)), total: fmt.int(value("desa_total", u))}) : w.partial);
          }
          if ((m & 8) !== 0) { notes.push(w.active_partial_short); }
          if ((m & 2) !== 0) { notes.push(w.implausible); }
          if ((m & 4) !== 0) { notes.push(w.data_break); }
          return notes.join("; ");
        case "fktp":
          return fmt.int(value("fktp", u)) + " (" + fmt.dec(value("fktp_per_10k", u), 2) + " " + w.per_10k + "; " +
            fmt.int(value("registered_per_fktp", u)) + " " + w.participants_per_fktp + ")";
      }
      return MISSING;
    }

    var anchors = grid(data.labels, data.topo.q);  /* [lng, lat] of each unit's name */
    /* for scripts that read the map (and its tests): how many units are drawn, which unit lies under a point of
       the map's container, a point well inside a unit (its name's anchor), a unit's tooltip */
    self.count = function () { return geo.units.filter(function (parts) { return parts.length; }).length; };
    self.unitAt = function (x, y) {
      if (!map.hasLayer(self.group)) { return -1; }
      var w = zoomZero(map.containerPointToLayerPoint([x, y]));
      return unitOf(w[0], w[1]);
    };
    self.find = function (name) { return data.names.indexOf(name); };
    self.inside = function (u) { return map.latLngToContainerPoint([anchors[u][1], anchors[u][0]]); };
    self.tooltipText = function (u) {
      return data.tip.map(function (row) { var text = cell(row, u); return text === "" ? "" : row[0] + ": " + text; })
        .filter(function (line) { return line !== ""; });
    };
    self.tooltipHtml = tooltipHtml;
    self.showTooltip = function (u) {  /* open a unit's tooltip at its name's anchor; the text it shows */
      tip.setContent(tooltipHtml(u)).setLatLng([anchors[u][1], anchors[u][0]]);
      map.openTooltip(tip);
      var text = tip.getElement().innerText;
      map.closeTooltip(tip);
      return text;
    };
    self.repaint = function () { painter.repaint(); };
    if (data.outline) {
      self.outline = outline(self, data.outline);
      self.outlineLayer = L.layerGroup();
      self.outlineLayer.onAdd = function () { showOutline = true; painter.repaint(); };
      self.outlineLayer.onRemove = function () { showOutline = false; painter.repaint(); };
    }
    self.labels = labelsGroup ? new Labels(self, labelsGroup, anchors) : null;
  }

  function codes(spec, parentOf, n) {
    var out = new Array(n), own = spec.w ? varints(spec.s) : spec.s;
    for (var u = 0; u < n; u++) {
      var suffix = String(own[u]);
      while (suffix.length < spec.w) { suffix = "0" + suffix; }
      var prefix = spec.p[parentOf[u]];
      out[u] = prefix ? prefix + "." + suffix : suffix;
    }
    return out;
  }

  /* a number column: whole numbers of 10^-d, zigzag-folded plus one (0: missing) */
  function column(spec) {
    var scale = Math.pow(10, spec.d);
    return varints(spec.v).map(function (v) { return v === 0 ? null : unzig(v - 1) / scale; });
  }

  /* the borders of the parents (kecamatan over desa): the arcs whose two sides lie in different parents, or that
     only one unit uses (the region's edge); each drawn once */
  function outline(units, spec) {
    var geo = units.geo, parentOf = units.parentOf, lines = [], parents = {};
    for (var id = 0; id < geo.arcs.length; id++) {
      if (geo.first[id] < 0) { continue; }
      var a = parentOf[geo.first[id]], b = geo.second[id] >= 0 ? parentOf[geo.second[id]] : -1;
      if (b === a) { continue; }
      lines.push(id);
      parents[a] = true;
      if (b >= 0) { parents[b] = true; }
    }
    var boxes = lines.map(function (id) { return bounds(geo.arcs[id]); });
    return {
      arcs: lines.length,
      parents: function () { return Object.keys(parents).length; },
      paint: function (ctx, scale, ox, oy, view) {
        ctx.strokeStyle = spec.color; ctx.lineWidth = spec.weight * units.thin(); ctx.lineJoin = "bevel";
        ctx.lineCap = "square";
        var drawn = 0;
        ctx.beginPath();
        lines.forEach(function (id, k) {
          var b = boxes[k];
          if (b[0] > view[2] || b[2] < view[0] || b[1] > view[3] || b[3] < view[1]) { return; }
          line(ctx, geo.arcs[id], scale, ox, oy);
          if (++drawn % STROKE_CHUNK === 0) { ctx.stroke(); ctx.beginPath(); }
        });
        ctx.stroke();
      }
    };
  }

  /* names: anchored where the page data says (the centre of each unit's largest inscribed circle), shown only
     where the name fits inside its unit along the anchor's lines and touches no name already placed; parents
     (kecamatan) first while zoomed out, then the units by size, the largest first. Positions are kept as zoom-0
     pixels, so that placing them is arithmetic; a name's size and room are worked out when it is first looked at. */
  function Labels(units, group, anchors) {
    var map = units.map, data = units.data, self = this;
    var pane = map.getPane("geojkn-labels") || map.createPane("geojkn-labels");
    pane.style.zIndex = 450;
    pane.style.pointerEvents = "none";
    var pens = ["bold 12px", "11px"].map(function (size) {  /* one per font: setting a font is slow */
      var pen = document.createElement("canvas").getContext("2d");
      pen.font = size + " Arial, Helvetica, sans-serif";
      return pen;
    });
    var items = [];
    function add(lng, lat, name, tier, parts, room) {
      if (lng === null || isNaN(lng)) { return; }
      items.push({x: mx(lng), y: my(lat), lat: lat, lng: lng, plain: name, k: tier, parts: parts, area: area(parts),
                  room: room || null, marker: null});
    }
    for (var u = 0; u < data.n; u++) {
      if (units.geo.units[u].length) { add(anchors[u][0], anchors[u][1], data.names[u], 1, units.geo.units[u]); }
    }
    if (data.upper) {
      var up = grid(data.upper.labels, data.topo.q), rings = parentRings(units), q = data.topo.q;
      var room = data.upper.rooms ? varints(data.upper.rooms) : null;
      data.upper.names.forEach(function (name, i) {
        var parts = rings[data.upper.parents[i]], lng = up[i][0], lat = up[i][1], given = null;
        if (room) {  /* [west, east] and [north, south] as zoom-0 pixels, from the steps the page data gives */
          given = [[mx(lng - room[4 * i] * q), mx(lng + room[4 * i + 1] * q)],
                   [my(lat + room[4 * i + 3] * q), my(lat - room[4 * i + 2] * q)]];
        }
        if (parts) { add(lng, lat, name, 0, parts, given); }
      });
    }
    items.sort(function (a, b) { return a.k - b.k || b.area - a.area; });
    var upper = items.some(function (l) { return l.k === 0; });
    var home = map.getBoundsZoom(L.latLngBounds(data.home));
    /* a name's room around its anchor (zoom-0 pixels), and its height and the least width it can have (a quarter
       of its size per letter: narrower than any letter of Arial), all cheap; its real width only for a name that
       might fit (measuring text is slow) */
    function prepare(l) {
      if (l.ph) { return; }
      l.ph = l.k === 0 ? 16 : 14;
      l.low = 0.25 * (l.k === 0 ? 12 : 11) * l.plain.length + 4;
      l.room = l.room || rooms(l.parts, l.x, l.y);
    }
    function measure(l) {
      if (l.pw) { return; }
      var shown = l.k === 0 ? l.plain.toUpperCase() : l.plain;
      l.pw = Math.ceil(pens[l.k].measureText(shown).width * (l.k === 0 ? 1.05 : 1)) + 4;
    }
    function icon(l) {
      var span = document.createElement("span");
      span.textContent = l.plain;
      return L.divIcon({className: "geojkn-label" + (l.k === 0 ? " gj-upper" : ""), html: span,
                        iconSize: [l.pw, l.ph], iconAnchor: [l.pw / 2, l.ph / 2]});
    }
    function place() {
      var zoom = map.getZoom(), size = map.getSize(), taken = [], on = map.hasLayer(group);
      var scale = Math.pow(2, zoom), origin = map.getPixelOrigin(), offset = map.containerPointToLayerPoint([0, 0]);
      var left = origin.x + offset.x, top = origin.y + offset.y;  /* the container's corner in pixels at this zoom */
      items.forEach(function (l) {
        var shown = false;
        var tier = !upper || (l.k === 0 ? zoom < home + 2 : zoom >= home + 1);
        var ax = l.x * scale - left, ay = l.y * scale - top;
        if (on && tier && ax >= -50 && ay >= -50 && ax <= size.x + 50 && ay <= size.y + 50) {
          prepare(l);
          var room = Math.min(ax - (l.room[0][0] * scale - left), (l.room[0][1] * scale - left) - ax);
          var head = Math.min(ay - (l.room[1][0] * scale - top), (l.room[1][1] * scale - top) - ay);
          if (l.low / 2 <= room && l.ph / 2 <= head) { measure(l); }
          var dx = (l.pw || l.low) / 2 + 2, dy = l.ph / 2 + 1;
          if (l.pw && l.pw / 2 <= room && l.ph / 2 <= head && ax >= dx && ay >= dy && ax <= size.x - dx &&
              ay <= size.y - dy) {
            var box = [ax - dx, ay - dy, ax + dx, ay + dy];
            shown = !taken.some(function (o) { return box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]; });
            if (shown) { taken.push(box); }
          }
        }
        if (shown && !l.marker) {
          l.marker = L.marker([l.lat, l.lng], {icon: icon(l), pane: "geojkn-labels", interactive: false, keyboard: false});
          l.marker.geojknLabel = {name: l.plain, tier: l.k};
          group.addLayer(l.marker);
        } else if (!shown && l.marker) {
          group.removeLayer(l.marker);
          l.marker = null;
        }
      });
    }
    self.place = place;
    map.on("zoomend moveend resize overlayadd", place);
    map.whenReady(function () { setTimeout(place, 0); });
  }

  /* anchors from a string of zigzag steps on the page grid, each from the anchor before: [lng, lat] */
  function grid(spec, q) {
    var steps = varints(spec.xy), out = [], x = 0, y = 0;
    for (var i = 0; i < steps.length; i += 2) {
      x += unzig(steps[i]); y += unzig(steps[i + 1]);
      out.push([spec.x0 + x * q, spec.y0 + y * q]);
    }
    return out;
  }

  function parentRings(units) {
    var out = {};
    units.geo.units.forEach(function (parts, u) {
      var p = units.parentOf[u];
      (out[p] = out[p] || []).push.apply(out[p], parts);
    });
    return out;
  }

  /* the stretch of the horizontal and the vertical line through (x, y) (zoom-0 pixels) that lies inside the unit
     around it: each polygon's stretches (even-odd within its rings), joined where polygons of a union touch */
  function rooms(parts, x, y) {
    var across = [], down = [];
    parts.forEach(function (rings) {
      var w = [], h = [];
      rings.forEach(function (ring) {
        for (var i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
          var ax = ring[j], ay = ring[j + 1], bx = ring[i], by = ring[i + 1];
          if ((ay > y) !== (by > y)) { w.push(ax + (y - ay) * (bx - ax) / (by - ay)); }
          if ((ax > x) !== (bx > x)) { h.push(ay + (x - ax) * (by - ay) / (bx - ax)); }
        }
      });
      across = across.concat(pairs(w));
      down = down.concat(pairs(h));
    });
    return [around(across, x), around(down, y)];
  }
  function pairs(values) {
    values.sort(function (a, b) { return a - b; });
    var out = [];
    for (var i = 0; i + 1 < values.length; i += 2) { out.push([values[i], values[i + 1]]); }
    return out;
  }
  function around(stretches, at) {
    stretches.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    stretches.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1] + 1e-9) { last[1] = Math.max(last[1], s[1]); } else { merged.push([s[0], s[1]]); }
    });
    for (var i = 0; i < merged.length; i++) { if (merged[i][0] <= at && at <= merged[i][1]) { return merged[i]; } }
    return [at, at];
  }

  function area(parts) {
    var total = 0;
    parts.forEach(function (rings) {
      rings.forEach(function (ring, r) {
        var s = 0;
        for (var i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
          s += ring[j] * ring[i + 1] - ring[i] * ring[j + 1];
        }
        total += (r === 0 ? 1 : -1) * Math.abs(s / 2);
      });
    });
    return total;
  }

  /* facilities: one array; a filled dot where the file gave coordinates, a dashed ring where the facility was
     placed by its area code; one layer per group, painted on a canvas of their own above the units (it lets the
     mouse through: the units' handler asks here first whether a facility is under it) */
  function facilities(map, spec) {
    var pane = map.getPane("geojkn-facilities") || map.createPane("geojkn-facilities");
    pane.style.zIndex = 460;
    pane.style.pointerEvents = "none";
    var steps = varints(spec.xy), kinds = varints(spec.k), count = kinds.length;
    var fx = new Float64Array(count), fy = new Float64Array(count), lat = new Float64Array(count);
    var lng = new Float64Array(count), group = new Int32Array(count), rough = new Uint8Array(count);
    var x = 0, y = 0, visible = spec.groups.map(function () { return true; }), shrink = 1;
    for (var i = 0; i < count; i++) {
      x += unzig(steps[2 * i]); y += unzig(steps[2 * i + 1]);
      lng[i] = spec.x0 + x * spec.q; lat[i] = spec.y0 + y * spec.q;
      fx[i] = mx(lng[i]); fy[i] = my(lat[i]);
      group[i] = spec.types[kinds[i] >> 1][1];
      rough[i] = kinds[i] % 2;
    }
    function radius(i) { return Math.max(2, (spec.groups[group[i]].radius + 1) * shrink); }
    function paint(ctx, scale, ox, oy, view) {
      var pad = 12 / scale;
      for (var i = 0; i < count; i++) {
        if (!visible[group[i]] || fx[i] < view[0] - pad || fx[i] > view[2] + pad || fy[i] < view[1] - pad ||
            fy[i] > view[3] + pad) { continue; }
        var g = spec.groups[group[i]];
        ctx.beginPath();
        ctx.arc(fx[i] * scale - ox, fy[i] * scale - oy, radius(i), 0, 2 * Math.PI);
        if (rough[i]) {
          ctx.globalAlpha = 0.9; ctx.fillStyle = "#ffffff"; ctx.fill();
          ctx.globalAlpha = 1; ctx.setLineDash([3, 2]); ctx.strokeStyle = g.color; ctx.lineWidth = 2.5; ctx.stroke();
          ctx.setLineDash([]);
        } else {
          ctx.globalAlpha = 0.95; ctx.fillStyle = g.color; ctx.fill();
          ctx.globalAlpha = 1; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1.5; ctx.stroke();
        }
      }
    }
    var painter = new Painter(paint, {padding: 0.1, pane: "geojkn-facilities"});
    var on = 0;
    var groups = spec.groups.map(function (g, k) {
      var layer = L.layerGroup();
      layer.onAdd = function (m) {
        visible[k] = true;
        if (on++ === 0) { painter.addTo(m); } else { painter.repaint(); }
      };
      layer.onRemove = function (m) {
        visible[k] = false;
        if (--on === 0) { m.removeLayer(painter); } else { painter.repaint(); }
      };
      return layer;
    });
    function html(i) {
      var type = spec.types[kinds[i] >> 1];
      var text = "<b>" + esc(spec.names[i]) + "</b><br>" + esc(type[0]);
      if (rough[i]) { text += "<br><i>" + esc(fill(spec.approximate, {unit: spec.units[i] || ""})) + "</i>"; }
      return text;
    }
    /* the facility drawn under a point of the map's layer (-1 when none), the topmost one */
    function at(layerPoint) {
      var scale = Math.pow(2, map.getZoom()), origin = map.getPixelOrigin(), found = -1, best = Infinity;
      for (var i = 0; i < count; i++) {
        if (!visible[group[i]]) { continue; }
        var dx = fx[i] * scale - origin.x - layerPoint.x, dy = fy[i] * scale - origin.y - layerPoint.y;
        var d = dx * dx + dy * dy, r = radius(i) + 2;
        if (d <= r * r && d <= best) { found = i; best = d; }
      }
      return found;
    }
    var tip = L.tooltip({direction: "top", offset: [0, -6]});
    var shownTip = -1;
    map.geojknFacilities = {
      at: at,
      paint: paint,
      hide: function (hidden) { pane.style.visibility = hidden ? "hidden" : ""; },
      show: function (i) {  /* a facility's tooltip at its place (-1 closes it) */
        if (i === shownTip) { return; }
        shownTip = i;
        if (i < 0) { map.closeTooltip(tip); return; }
        tip.setContent(html(i)).setLatLng([lat[i], lng[i]]);
        map.openTooltip(tip);
      }
    };
    groups.shown = function (key) {  /* how many facilities of a group are drawn in the view now */
      var k = spec.groups.map(function (g) { return g.key; }).indexOf(key), view = map.getBounds(), n = 0;
      if (k < 0 || !visible[k] || !map.hasLayer(groups[k])) { return 0; }
      for (var i = 0; i < count; i++) { if (group[i] === k && view.contains([lat[i], lng[i]])) { n++; } }
      return n;
    };
    groups.tooltips = function () {  /* every facility's tooltip text as the page shows it */
      var out = [];
      for (var i = 0; i < count; i++) {
        tip.setContent(html(i)).setLatLng([lat[i], lng[i]]);
        map.openTooltip(tip);
        out.push(tip.getElement().innerText);
      }
      map.closeTooltip(tip);
      shownTip = -1;
      return out;
    };
    /* far out, smaller dots keep a province's thousand facilities readable */
    function resize() { shrink = map.getZoom() < 9 ? 0.5 : map.getZoom() < 11 ? 0.75 : 1; }
    map.on("zoomend", resize);
    resize();
    window.geojkn.facilityGroups.push(groups);
    return groups;
  }

  var parsed = {};
  /* a map's page data, parsed once */
  function data(id) {
    if (!(id in parsed)) { parsed[id] = JSON.parse(document.getElementById(id).textContent); }
    return parsed[id];
  }

  window.geojkn = window.geojkn || {maps: [], facilityGroups: []};
  window.geojkn.data = data;
  window.geojkn.Units = Units;
  window.geojkn.facilities = facilities;
  window.geojkn.decode = decode;
  window.geojkn.varints = varints;
  window.geojkn.formatter = formatter;
})();
