// faceswap_kit camera widget (anywidget ESM). Protocol: docs/live.md.
// Browser camera -> requestVideoFrameCallback -> JPEG blob -> kernel (binary buffer);
// processed JPEG back -> createImageBitmap -> canvas. At most `max_in_flight` frames unanswered.

const LOST_AFTER_MS = 3000; // a frame unanswered this long no longer holds an in-flight slot
// one capturing view per widget model: a second view of the same widget only draws
const capturingView = new WeakMap();
let viewCount = 0;

function statusFromError(err) {
  const name = (err && err.name) || "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return ["denied", `camera permission denied (${name}): allow the camera for this page, or use source='generated'`];
  }
  if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
    return ["no-camera", `no camera found (${name}): plug one in, or use source='generated' or source='local'`];
  }
  if (name === "NotReadableError" || name === "TrackStartError") {
    return ["no-camera", `the camera is busy or unreadable (${name}): close other apps using it`];
  }
  return ["error", `camera failed: ${name} ${(err && err.message) || err}`];
}

function percentile(values, q) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function render({ model, el }) {
  const viewId = ++viewCount;
  const root = document.createElement("div");
  root.className = "fsk-camera";
  const canvas = document.createElement("canvas");
  canvas.className = "fsk-camera-canvas";
  canvas.width = model.get("width");
  canvas.height = model.get("height");
  const bar = document.createElement("div");
  bar.className = "fsk-camera-bar";
  const button = document.createElement("button");
  button.className = "fsk-camera-button";
  const status = document.createElement("span");
  status.className = "fsk-camera-status";
  const message = document.createElement("div");
  message.className = "fsk-camera-message";
  bar.append(button, status);
  root.append(canvas, bar, message);
  el.append(root);

  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  const grab = document.createElement("canvas");
  const ctx = canvas.getContext("2d");

  let stream = null;
  let nextId = 0;
  const sentAt = new Map();
  const latencies = [];
  const arrivals = [];
  let counts = { sent: 0, received: 0, dropped: 0, lost: 0 };
  let statsTimer = null;

  function setStatus(value, error) {
    model.set("status", value);
    model.set("error", error || "");
    model.save_changes();
  }

  function showStatus() {
    const value = model.get("status");
    const err = model.get("error");
    status.textContent = err ? `${value}: ${err}` : value;
    root.dataset.status = value;
    message.textContent = model.get("message") || "";
    const browser = model.get("source") === "browser";
    button.textContent = model.get("running") ? "Stop" : "Start";
    button.title = browser ? "browser camera" : `kernel source: ${model.get("source")}`;
  }

  function inFlight() {
    const now = performance.now();
    for (const [id, t] of sentAt) {
      if (now - t > LOST_AFTER_MS) {
        sentAt.delete(id);
        counts.lost += 1;
      }
    }
    return sentAt.size;
  }

  function sendFrame() {
    const w = model.get("width");
    const h = model.get("height");
    if (grab.width !== w || grab.height !== h) {
      grab.width = w;
      grab.height = h;
    }
    grab.getContext("2d").drawImage(video, 0, 0, w, h);
    const id = nextId++;
    sentAt.set(id, performance.now());
    grab.toBlob(
      (blob) => {
        if (!blob) { sentAt.delete(id); return; }
        blob.arrayBuffer().then((buffer) => {
          if (!stream) { sentAt.delete(id); return; }
          model.send({ type: "frame", id, width: w, height: h, t: sentAt.get(id) }, undefined, [buffer]);
          counts.sent += 1;
        });
      },
      "image/jpeg",
      model.get("quality"),
    );
  }

  function onVideoFrame() {
    if (!stream) return;
    if (inFlight() < Math.max(1, model.get("max_in_flight"))) sendFrame();
    schedule();
  }

  function schedule() {
    if (!stream) return;
    if ("requestVideoFrameCallback" in video) video.requestVideoFrameCallback(onVideoFrame);
    else requestAnimationFrame(onVideoFrame);
  }

  function reportStats() {
    const now = performance.now();
    while (arrivals.length && now - arrivals[0] > 2000) arrivals.shift();
    const fps = arrivals.length > 1 ? ((arrivals.length - 1) * 1000) / (arrivals[arrivals.length - 1] - arrivals[0]) : 0;
    const stats = {
      fps,
      latency_p50_ms: percentile(latencies, 0.5),
      latency_p95_ms: percentile(latencies, 0.95),
      in_flight: sentAt.size,
      ...counts,
    };
    root.dataset.stats = JSON.stringify(stats);
    model.set("client_stats", stats);
    model.save_changes();
  }

  let starting = false;

  async function startCamera() {
    const owner = capturingView.get(model);
    if (starting || (owner !== undefined && owner !== viewId)) return; // one request at a time,
    capturingView.set(model, viewId); // and one capturing view per widget
    starting = true;
    try {
      await openCamera();
    } finally {
      starting = false;
    }
  }

  async function openCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setStatus("unsupported", "this browser gives no camera access here (navigator.mediaDevices is missing: use https or localhost, or source='generated')");
      return;
    }
    setStatus("starting", "");
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: model.get("width") }, height: { ideal: model.get("height") } },
        audio: false,
      });
    } catch (err) {
      stream = null;
      const [value, text] = statusFromError(err);
      setStatus(value, text);
      return;
    }
    if (!model.get("running")) { stopCamera(); return; }
    video.srcObject = stream;
    try { await video.play(); } catch (err) { /* muted inline video plays without a gesture */ }
    setStatus("streaming", "");
    schedule();
  }

  function stopCamera() {
    if (capturingView.get(model) === viewId) capturingView.delete(model);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    sentAt.clear();
  }

  function onRunning() {
    const browser = model.get("source") === "browser";
    if (model.get("running")) {
      if (browser && !stream) startCamera();
      if (!statsTimer) statsTimer = setInterval(reportStats, 1000);
    } else {
      if (stream) { stopCamera(); setStatus("stopped", ""); }
      if (statsTimer) { clearInterval(statsTimer); statsTimer = null; }
    }
    showStatus();
  }

  function onMessage(msg, buffers) {
    if (!msg || typeof msg !== "object") return;
    const hasId = msg.id !== null && msg.id !== undefined;
    if (msg.type === "drop") {
      if (hasId && sentAt.delete(msg.id)) counts.dropped += 1;
      return;
    }
    if (msg.type !== "frame" || !buffers || !buffers.length) return;
    const now = performance.now();
    if (hasId && sentAt.has(msg.id)) {
      latencies.push(now - sentAt.get(msg.id));
      if (latencies.length > 120) latencies.shift();
      sentAt.delete(msg.id);
    }
    arrivals.push(now);
    counts.received += 1;
    const blob = new Blob([buffers[0]], { type: msg.mime || "image/jpeg" });
    createImageBitmap(blob).then((bitmap) => {
      // keep the displayed height when the kernel steps quality down (smaller frames);
      // the width follows the frame's aspect (side-by-side doubles it)
      const height = model.get("height");
      const width = Math.round((bitmap.width * height) / bitmap.height);
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      ctx.drawImage(bitmap, 0, 0, width, height);
      bitmap.close();
      root.dataset.drawn = String(counts.received);
    });
  }

  button.addEventListener("click", () => {
    model.set("running", !model.get("running"));
    model.save_changes();
    onRunning();
  });
  model.on("change:running", onRunning);
  model.on("change:source", () => { if (model.get("source") !== "browser") stopCamera(); onRunning(); });
  model.on("change:status", showStatus);
  model.on("change:error", showStatus);
  model.on("change:message", showStatus);
  model.on("msg:custom", onMessage);
  showStatus();
  onRunning();

  return () => {
    stopCamera();
    if (statsTimer) clearInterval(statsTimer);
  };
}

export default { render };
