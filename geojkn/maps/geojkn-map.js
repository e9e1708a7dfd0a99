/* geojkn's map layers: decodes the compact data a map page carries (see geojkn/maps/encoding.py and
   pagedata.py) and draws units, kecamatan outlines, facilities and names with Leaflet on canvas.
   Every string from data reaches the page as text (textContent) or through esc(), never as markup. */
(function () {
  "use strict";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var LOOKUP = {};
  for (var c = 0; c < ALPHABET.length; c++) { LOOKUP[ALPHABET.charCodeAt(c)] = c; }
  var MISSING = "\u2013";

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

  /* every unit's rings as Leaflet lat/lng arrays, and which units use each arc (for outlines and names) */
  function decode(topo, units) {
    var q = topo.q, x0 = topo.x0, y0 = topo.y0, stream = varints(topo.a), arcs = [], x = 0, y = 0, i = 0;
    while (i < stream.length) {
      var n = stream[i++], arc = new Array(n);
      for (var k = 0; k < n; k++) {
        x += unzig(stream[i]); y += unzig(stream[i + 1]); i += 2;
        arc[k] = [y0 + y * q, x0 + x * q];
      }
      arcs.push(arc);
    }
    var shape = varints(topo.s), codes = varints(topo.r), refAt = 0, numbered = 0;
    var polygonsOf = shape.slice(0, units);
    var nPolys = polygonsOf.reduce(function (a, b) { return a + b; }, 0);
    var ringsOf = shape.slice(units, units + nPolys), ringAt = units + nPolys;
    var users = arcs.map(function () { return []; });
    var out = [], poly = 0;
    for (var u = 0; u < units; u++) {
      var parts = [];
      for (var p = 0; p < polygonsOf[u]; p++) {
        var ringList = [];
        for (var r = 0; r < ringsOf[poly]; r++) {
          var size = shape[ringAt++], points = [];
          for (var a = 0; a < size; a++) {
            var code = codes[refAt++], id, back = false;
            if (code === 0) { id = numbered++; } else { back = ((code - 1) % 2) === 1; id = numbered - 1 - Math.floor((code - 1) / 2); }
            users[id].push(u);
            var pts = arcs[id];
            if (back) {
              for (var b = pts.length - 1 - (points.length ? 1 : 0); b >= 0; b--) { points.push(pts[b]); }
            } else {
              for (var f = points.length ? 1 : 0; f < pts.length; f++) { points.push(pts[f]); }
            }
          }
          if (points.length > 3) { points.pop(); }  /* Leaflet closes rings itself */
          ringList.push(points);
        }
        poly++;
        parts.push(ringList);
      }
      out.push(parts);
    }
    return {units: out, arcs: arcs, users: users};
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

  function Units(map, data, labelsGroup) {
    var self = this, fmt = formatter(data.lang), geo = decode(data.topo, data.n);
    var cls = varints(data.cls), n = data.n, style = data.style;
    var renderer = L.canvas({padding: 0.3, tolerance: 2});
    var fills = patterns(style.colors, style.hatch);
    self.map = map; self.data = data; self.geo = geo; self.fmt = fmt;
    self.parentOf = varints(data.codes.pi);
    self.codes = codes(data.codes, self.parentOf, n);
    var numbers = {};
    self.parents = data.codes.p;
    self.group = L.featureGroup();
    self.layers = new Array(n);
    self.classes = cls;
    function unitStyle(u) {
      var v = cls[u], k = (v & 15) - 1, partial = (v & 16) !== 0, below = (v & 32) !== 0, f = thin();
      if (k < 0) {
        return {fillColor: fills.nodata, fillOpacity: 1, color: style.nodataBorder, weight: f, dashArray: "4 3",
                lineCap: "butt"};
      }
      if (partial) { return {fillColor: fills.partial[k], fillOpacity: 1, color: style.border, weight: 0.6 * f}; }
      if (below) {
        return {fillColor: style.colors[k], fillOpacity: 0.85, color: style.belowBorder, weight: 2.2 * f,
                dashArray: "1 4", lineCap: "round"};
      }
      return {fillColor: style.colors[k], fillOpacity: 0.85, color: style.border, weight: 0.6 * f};
    }
    /* lines thin out zoomed far out (a province's thousands of desa), full width from a kabupaten's zoom on */
    function thin() { return Math.min(1, Math.max(0.35, Math.pow(2, map.getZoom() - 10))); }
    self.thin = thin;
    self.styleOf = unitStyle;
    map.on("zoomend", function () {  /* before the renderer redraws on moveend */
      self.layers.forEach(function (layer, u) {
        if (layer && !layer.geojknHover) { layer.options.weight = unitStyle(u).weight; }
      });
    });
    for (var u = 0; u < n; u++) {
      if (!geo.units[u].length) { continue; }
      var opts = unitStyle(u);
      opts.renderer = renderer;
      opts.className = "geojkn-unit";
      var layer = L.polygon(geo.units[u], opts);
      layer.geojknUnit = u;
      layer.bindTooltip(tooltipOf(u), {sticky: true, className: "geojkn-tip"});
      layer.on("mouseover", function (e) {
        e.target.geojknHover = true;
        e.target.setStyle({weight: 3, color: "#000000", dashArray: null});
        e.target.bringToFront();
      });
      layer.on("mouseout", function (e) {
        e.target.geojknHover = false;
        e.target.setStyle(unitStyle(e.target.geojknUnit));
      });
      if (data.link) {
        layer.on("click", function (e) {
          var target = window.top || window;
          target.location.href = data.link[0] + encodeURIComponent(self.codes[e.target.geojknUnit]) + data.link[1];
        });
      }
      self.layers[u] = layer;
      self.group.addLayer(layer);
    }
    function tooltipOf(u) {
      return function () {
        var rows = data.tip.map(function (row) { return [row[0], cell(row, u)]; });
        var table = "<table class=\"gj-tip\">" + rows.map(function (r) {
          return "<tr><th>" + r[0] + "</th><td>" + esc(r[1]) + "</td></tr>";
        }).join("") + "</table>";
        return table;
      };
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
        case "fktp":
          return fmt.int(value("fktp", u)) + " (" + fmt.dec(value("fktp_per_10k", u), 2) + " " + w.per_10k + "; " +
            fmt.int(value("registered_per_fktp", u)) + " " + w.participants_per_fktp + ")";
      }
      return MISSING;
    }
    /* for scripts that read the map (and its tests): how many units are drawn, which unit lies under a point of
       the map's container, and a point well inside a unit (its name's anchor) */
    self.count = function () { return self.layers.filter(Boolean).length; };
    self.unitAt = function (x, y) {
      var p = map.containerPointToLayerPoint([x, y]), found = -1;
      self.layers.forEach(function (layer, u) {
        if (layer && map.hasLayer(layer) && layer._pxBounds && layer._pxBounds.contains(p) && layer._containsPoint(p)) {
          found = u;
        }
      });
      return found;
    };
    self.find = function (name) { return data.names.indexOf(name); };
    self.inside = function (u) {
      var a = grid(data.labels, data.topo.q)[u];
      return map.latLngToContainerPoint([a[1], a[0]]);
    };
    self.tooltipText = function (u) {
      return data.tip.map(function (row) { return row[0] + ": " + cell(row, u); });
    };
    if (data.outline) { self.outline = outline(self, data.outline, renderer); }
    self.labels = labelsGroup ? new Labels(self, labelsGroup) : null;
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

  /* the borders of the parents (kecamatan over desa): the arcs whose two sides lie in different parents, or
     that only one unit uses (the region's edge); drawn once, each parent with the arcs it owns first */
  function outline(units, spec, renderer) {
    var geo = units.geo, parentOf = units.parentOf, lines = {}, group = L.featureGroup();
    geo.users.forEach(function (users, id) {
      var a = parentOf[users[0]], b = users.length > 1 ? parentOf[users[1]] : -1;
      if (users.length > 1 && a === b) { return; }
      (lines[a] = lines[a] || []).push(geo.arcs[id]);
    });
    function weight() { return spec.weight * units.thin(); }
    Object.keys(lines).forEach(function (parent) {
      var line = L.polyline(lines[parent], {renderer: renderer, color: spec.color, weight: weight(),
                                            fill: false, interactive: true, className: "geojkn-outline"});
      line.bindTooltip(spec.label + ": " + esc(units.data.codes.pn[parent]), {sticky: true});
      line.on("mouseover", function (e) { e.target.geojknHover = true; e.target.setStyle({weight: weight() + 1.6}); });
      line.on("mouseout", function (e) { e.target.geojknHover = false; e.target.setStyle({weight: weight()}); });
      line.geojknParent = Number(parent);
      group.addLayer(line);
    });
    units.map.on("zoomend", function () {
      group.eachLayer(function (line) { if (!line.geojknHover) { line.options.weight = weight(); } });
    });
    return group;
  }

  /* names: anchored where the page data says (the centre of each unit's largest inscribed circle), shown only
     where the name fits inside its unit along the anchor's lines and touches no name already placed;
     parents (kecamatan) first while zoomed out, then the units by size, the largest first */
  function Labels(units, group) {
    var map = units.map, data = units.data, self = this;
    var pane = map.getPane("geojkn-labels") || map.createPane("geojkn-labels");
    pane.style.zIndex = 450;
    pane.style.pointerEvents = "none";
    var pen = document.createElement("canvas").getContext("2d");
    var items = [];
    function add(x, y, name, tier, rings) {
      var shown = tier === 0 ? name.toUpperCase() : name;
      pen.font = (tier === 0 ? "bold 12px" : "11px") + " Arial, Helvetica, sans-serif";
      var room = rooms(rings, x, y);
      items.push({x: x, y: y, plain: name, k: tier, w: room[0], h: room[1], area: area(rings),
                  pw: Math.ceil(pen.measureText(shown).width * (tier === 0 ? 1.05 : 1)) + 4,
                  ph: tier === 0 ? 16 : 14, marker: null});
    }
    var anchors = grid(data.labels, data.topo.q);
    for (var u = 0; u < data.n; u++) {
      if (units.layers[u]) { add(anchors[u][0], anchors[u][1], data.names[u], 1, units.geo.units[u]); }
    }
    if (data.upper) {
      var up = grid(data.upper.labels, data.topo.q), rings = parentRings(units);
      data.upper.names.forEach(function (name, i) {
        if (rings[data.upper.parents[i]]) { add(up[i][0], up[i][1], name, 0, rings[data.upper.parents[i]]); }
      });
    }
    items.sort(function (a, b) { return a.k - b.k || b.area - a.area; });
    var upper = items.some(function (l) { return l.k === 0; });
    var home = map.getBoundsZoom(L.latLngBounds(data.home));
    function icon(l) {
      var span = document.createElement("span");
      span.textContent = l.plain;
      return L.divIcon({className: "geojkn-label" + (l.k === 0 ? " gj-upper" : ""), html: span,
                        iconSize: [l.pw, l.ph], iconAnchor: [l.pw / 2, l.ph / 2]});
    }
    function fits(l) {
      function px(y, x) { return map.latLngToContainerPoint([y, x]); }
      var at = px(l.y, l.x), west = px(l.y, l.w[0]), east = px(l.y, l.w[1]);
      var south = px(l.h[0], l.x), north = px(l.h[1], l.x);
      var room = Math.min(at.x - west.x, east.x - at.x), head = Math.min(at.y - north.y, south.y - at.y);
      return l.pw / 2 <= room && l.ph / 2 <= head ? at : null;
    }
    function place() {
      var zoom = map.getZoom(), size = map.getSize(), taken = [], on = map.hasLayer(group);
      var view = map.getBounds().pad(0.1);
      items.forEach(function (l) {
        var shown = false;
        var tier = !upper || (l.k === 0 ? zoom < home + 2 : zoom >= home + 1);
        var at = on && tier && view.contains([l.y, l.x]) ? fits(l) : null;
        var dx = l.pw / 2 + 2, dy = l.ph / 2 + 1;
        if (at && at.x >= dx && at.y >= dy && at.x <= size.x - dx && at.y <= size.y - dy) {
          var box = [at.x - dx, at.y - dy, at.x + dx, at.y + dy];
          shown = !taken.some(function (o) { return box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]; });
          if (shown) { taken.push(box); }
        }
        if (shown && !l.marker) {
          l.marker = L.marker([l.y, l.x], {icon: icon(l), pane: "geojkn-labels", interactive: false, keyboard: false});
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

  /* anchors from a string of zigzag steps on the page grid, each from the anchor before */
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

  /* the stretch of the horizontal and the vertical line through (x, y) that lies inside the unit around it: each
     polygon's stretches (even-odd within its rings), joined where polygons of a union touch */
  function rooms(parts, x, y) {
    var across = [], down = [];
    parts.forEach(function (rings) {
      var w = [], h = [];
      rings.forEach(function (ring) {
        for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          var a = ring[j], b = ring[i];  /* [lat, lng] */
          if ((a[0] > y) !== (b[0] > y)) { w.push(a[1] + (y - a[0]) * (b[1] - a[1]) / (b[0] - a[0])); }
          if ((a[1] > x) !== (b[1] > x)) { h.push(a[0] + (x - a[1]) * (b[0] - a[0]) / (b[1] - a[1])); }
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
        for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          s += (ring[j][1] * ring[i][0]) - (ring[i][1] * ring[j][0]);
        }
        total += (r === 0 ? 1 : -1) * Math.abs(s / 2);
      });
    });
    return total;
  }

  /* facilities: one array; a filled dot where the file gave coordinates, a dashed ring where the facility was
     placed by its area code; one layer per group, in their own pane above the units */
  function facilities(map, spec) {
    var pane = map.getPane("geojkn-facilities") || map.createPane("geojkn-facilities");
    pane.style.zIndex = 460;
    /* SVG, not canvas: a canvas pane over the units would take their mouse events; an SVG pane passes on every
       event that misses a dot */
    var renderer = L.svg({pane: "geojkn-facilities"});
    var steps = varints(spec.xy), kinds = varints(spec.k), groups = spec.groups.map(function () {
      return L.featureGroup();
    });
    var x = 0, y = 0, markers = [];
    groups.shown = function (key) {  /* how many facilities of a group are drawn in the view now */
      var at = spec.groups.map(function (g) { return g.key; }).indexOf(key), view = map.getBounds(), n = 0;
      if (at < 0 || !map.hasLayer(groups[at])) { return 0; }
      groups[at].eachLayer(function (m) { if (view.contains(m.getLatLng())) { n++; } });
      return n;
    };
    for (var i = 0; i < kinds.length; i++) {
      x += unzig(steps[2 * i]); y += unzig(steps[2 * i + 1]);
      var kind = kinds[i], rough = kind % 2 === 1, type = spec.types[(kind >> 1)], g = spec.groups[type[1]];
      var style = rough
        ? {color: g.color, weight: 2.5, dashArray: "3 2", fill: true, fillColor: "#ffffff", fillOpacity: 0.9}
        : {color: "#ffffff", weight: 1.5, fill: true, fillColor: g.color, fillOpacity: 0.95};
      style.radius = g.radius + 1;
      style.renderer = renderer;
      style.pane = "geojkn-facilities";
      style.className = "geojkn-fac geojkn-fac-" + g.key;
      var marker = L.circleMarker([spec.y0 + y * spec.q, spec.x0 + x * spec.q], style);
      var text = "<b>" + esc(spec.names[i]) + "</b><br>" + esc(type[0]);
      if (rough) { text += "<br><i>" + esc(fill(spec.approximate, {unit: spec.units[i] || ""})) + "</i>"; }
      marker.bindTooltip(text);
      marker.geojknFacility = {name: spec.names[i], group: g.key, approximate: rough};
      markers.push(marker);
      groups[type[1]].addLayer(marker);
    }
    /* far out, smaller dots keep a province's thousand facilities readable */
    var base = markers.map(function (m) { return m.getRadius(); }), shrunk = 1;
    function resize() {
      var z = map.getZoom(), shrink = z < 9 ? 0.5 : z < 11 ? 0.75 : 1;
      if (shrink === shrunk) { return; }
      shrunk = shrink;
      markers.forEach(function (m, i) { m.setRadius(Math.max(2, base[i] * shrink)); });
    }
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
