// The attention page: POST /api/translate, then the translation, the sentence pair (hover or focus a word to
// shade the words of the other side by attention weight) and the heatmap. Plain JS, no libraries.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const state = { result: null };

async function loadModels() {
  const res = await fetch("/api/models");
  const models = await res.json();
  const select = $("model");
  for (const m of models) {
    const o = new Option(`${m.name} (${m.attention}, ${m.parameters.toLocaleString("en")} parameters)`, m.name, m.isDefault, m.isDefault);
    select.add(o);
  }
  const def = models.find((m) => m.isDefault);
  if (def) setBeam(def.defaultBeam);
  select.addEventListener("change", () => setBeam(models.find((m) => m.name === select.value).defaultBeam));
}

function setBeam(beam) {
  const select = $("beam");
  if (![...select.options].some((o) => o.value === String(beam))) select.add(new Option(String(beam), String(beam)));
  select.value = String(beam);
}

async function translate(event) {
  event.preventDefault();
  const text = $("text").value;
  const status = $("status");
  status.className = "";
  status.textContent = "Translating…";
  $("go").disabled = true;
  try {
    const res = await fetch("/api/translate", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text, beam: Number($("beam").value), model: $("model").value || undefined }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body.detail || body.title || `HTTP ${res.status}`);
    show(body.translations[0], body);
    status.textContent = "";
  } catch (e) {
    status.className = "error";
    status.setAttribute("role", "alert");
    status.textContent = e.message;
  } finally {
    $("go").disabled = false;
  }
}

function show(t, body) {
  state.result = t;
  $("result").hidden = false;
  $("translation").textContent = t.text;
  $("meta").textContent = `${body.model} · score ${t.score.toFixed(3)} · ${body.ms.toFixed(1)} ms`;
  renderTokens($("source"), t.sourceTokens, "src");
  renderTokens($("target"), t.targetTokens, "trg");
  renderHeatmap(t);
  if (!t.attention) $("heatmap").textContent = "This model has no attention (attention: none), so there is nothing to draw.";
}

function renderTokens(box, tokens, side) {
  box.replaceChildren();
  tokens.forEach((tok, i) => {
    const span = document.createElement("span");
    span.className = "tok" + (tok === "</s>" ? " special" : "");
    span.textContent = tok;
    span.tabIndex = 0;
    span.dataset.side = side;
    span.dataset.i = String(i);
    span.setAttribute("aria-label", `${side === "src" ? "source" : "target"} word ${i + 1}: ${tok}`);
    span.addEventListener("mouseenter", () => highlight(side, i));
    span.addEventListener("focus", () => highlight(side, i));
    span.addEventListener("mouseleave", () => { if (document.activeElement !== span) clear(); });
    span.addEventListener("blur", clear);
    span.addEventListener("keydown", (e) => move(e, side, i));
    box.appendChild(span);
  });
}

// Weights of the other side for word i of `side`: a target row, or a source column.
function weights(side, i) {
  const a = state.result.attention;
  if (!a) return null;
  return side === "trg" ? a[i] : a.map((row) => row[i]);
}

function highlight(side, i) {
  clear();
  const w = weights(side, i);
  const own = side === "trg" ? $("target") : $("source");
  const other = side === "trg" ? $("source") : $("target");
  own.children[i].classList.add("active");
  if (!w) return;
  const max = Math.max(...w);
  [...other.children].forEach((span, j) => {
    span.style.setProperty("--w", String(w[j]));
    span.dataset.w = String(w[j]);
    span.classList.toggle("dark", w[j] > 0.55);
    span.classList.toggle("top", w[j] === max);
  });
  const svg = $("heatmap").querySelector("svg");
  if (svg) svg.dispatchEvent(new CustomEvent("focusword", { detail: { side, i } }));
}

function clear() {
  for (const span of document.querySelectorAll(".tok")) {
    span.classList.remove("active", "top", "dark");
    span.style.setProperty("--w", "0");
    delete span.dataset.w;
  }
  const svg = $("heatmap").querySelector("svg");
  if (svg) svg.dispatchEvent(new CustomEvent("focusword", { detail: null }));
}

function move(e, side, i) {
  const own = side === "trg" ? $("target") : $("source");
  const other = side === "trg" ? $("source") : $("target");
  let next = null;
  if (e.key === "ArrowRight") next = own.children[i + 1];
  else if (e.key === "ArrowLeft") next = own.children[i - 1];
  else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
    const w = weights(side, i);
    next = other.children[w ? w.indexOf(Math.max(...w)) : Math.min(i, other.children.length - 1)];
  }
  if (next) { e.preventDefault(); next.focus(); }
}

function renderHeatmap(t) {
  const box = $("heatmap");
  box.replaceChildren();
  if (!t.attention) return;
  const S = t.sourceTokens.length, T = t.targetTokens.length;
  const cell = S > 40 ? 14 : 22;
  const left = 12 + 8 * Math.max(...t.targetTokens.map((x) => x.length)), top = 12 + 8 * Math.max(...t.sourceTokens.map((x) => x.length));
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(left + S * cell + 2));
  svg.setAttribute("height", String(top + T * cell + 2));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `attention heatmap, ${T} target rows by ${S} source columns`);
  const add = (name, attrs, text) => {
    const el = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    svg.appendChild(el);
    return el;
  };
  t.sourceTokens.forEach((tok, j) => {
    const x = left + j * cell + cell / 2 + 4, y = top - 6;
    add("text", { x, y, transform: `rotate(-90 ${x} ${y})` }, tok);
  });
  t.targetTokens.forEach((tok, i) => add("text", { x: left - 6, y: top + i * cell + cell / 2 + 4, "text-anchor": "end" }, tok));
  t.attention.forEach((row, i) => row.forEach((w, j) => {
    const r = add("rect", { class: "cell", x: left + j * cell, y: top + i * cell, width: cell, height: cell,
      fill: `rgb(29 78 216 / ${(w * 100).toFixed(1)}%)`, "data-t": i, "data-s": j });
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${t.targetTokens[i]} ← ${t.sourceTokens[j]}: ${w.toFixed(3)}`;
    r.appendChild(title);
    r.addEventListener("mouseenter", () => highlight("trg", i));
    r.addEventListener("mouseleave", clear);
  }));
  add("rect", { x: left - 0.5, y: top - 0.5, width: S * cell + 1, height: T * cell + 1, fill: "none", stroke: "#9ca3af" });
  const focus = add("rect", { class: "focus", x: 0, y: 0, width: 0, height: 0, visibility: "hidden" });
  svg.addEventListener("focusword", (e) => {
    if (!e.detail) { focus.setAttribute("visibility", "hidden"); return; }
    const { side, i } = e.detail;
    const box = side === "trg" ? [left, top + i * cell, S * cell, cell] : [left + i * cell, top, cell, T * cell];
    ["x", "y", "width", "height"].forEach((k, n) => focus.setAttribute(k, String(box[n])));
    focus.setAttribute("visibility", "visible");
  });
  box.appendChild(svg);
}

$("form").addEventListener("submit", translate);
$("text").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("form").requestSubmit(); }
});
loadModels().catch((e) => { $("status").className = "error"; $("status").textContent = `cannot list models: ${e.message}`; });
