// Runs the stock upushy uni-app SDK (@limm/uni-pushy-client, its src/ as
// published) against a running Hoist, in Node, with the uni-app runtime it
// calls (plus.*, uni.*) stood in for by plain code: HTTP is real (the update
// check and the download follow redirects as the device would), the popup
// "Update now" button is pressed when asked, and what the SDK finally does
// (install a downloaded file, or open the URL in the browser) is printed.
// Usage: node harness.mjs '{"sdk":"/path/to/sdk","updateUrl":"http://host:port",
//   "projectId","platform","wgtVersion","wgtVersionCode","nativeVersion",
//   "nativeVersionCode","uuid","deviceId","consent":true}'
import { register } from "node:module";
import { createHash } from "node:crypto";

// The SDK's sources are ES modules imported without extensions.
register("data:text/javascript," + encodeURIComponent(`
export async function resolve(spec, ctx, next) {
  let r;
  try { r = await next(spec, ctx); } catch (e) {
    if (spec.startsWith(".") && !spec.endsWith(".js")) r = await next(spec + ".js", ctx); else throw e;
  }
  return r.url.startsWith("file:") && !r.url.includes("/node_modules/") ? { ...r, format: "module" } : r;
}`));

const a = JSON.parse(process.argv[2]);
const out = { installed: null, opened: null, requests: [] };
let finish;
const finished = new Promise((r) => (finish = r));
const done = (why) => { out.end = why; finish(); };

class View {
  constructor(id, styles) {
    this.id = id; this.styles = styles; this.listeners = {};
    // Drawing calls (draw, drawRect, setStyle, reset, hide, close, …) do nothing.
    return new Proxy(this, { get: (t, k) => (k in t ? t[k] : () => {}) });
  }
  addEventListener(type, fn) { this.listeners[type] = fn; }
  show() {
    // The update popup (80 % wide): press "Update now" (or "Not now").
    if (this.id !== "popupView" || this.styles.width !== "80%" || !this.listeners.click) return;
    const width = 390 * 0.8, height = parseFloat(this.styles.height);
    const maxTop = height - 20, maxLeft = width - 20, button = (parseInt(width - 40) - 20) / 2;
    const x = a.consent ? maxLeft - button / 2 : 20 + button / 2;
    setTimeout(() => { this.listeners.click({ clientX: x, clientY: maxTop - 15 }); if (!a.consent) done("declined"); }, 0);
  }
}

globalThis.plus = {
  runtime: {
    appid: "__UNI__HOIST", version: a.nativeVersion, versionCode: String(a.nativeVersionCode),
    getProperty(_, cb) { cb({ version: a.wgtVersion, versionCode: String(a.wgtVersionCode) }); },
    install(file, _opts, ok) { out.installed = file; ok(); done("installed"); },
    openURL(url) { out.opened = url; done("opened"); },
    restart() {},
  },
  device: { getInfo({ success, complete }) { success({ uuid: a.uuid }); complete && complete(); } },
  screen: { resolutionWidth: 390, resolutionHeight: 844 },
  nativeObj: { View },
  nativeUI: { alert(m) { out.alert = m; }, toast() {} },
  downloader: {
    createDownload(url, _opts, cb) {
      const listeners = [];
      return {
        addEventListener(_, fn) { listeners.push(fn); },
        async start() {
          try {
            const res = await fetch(url, { redirect: "follow" });
            const body = Buffer.from(await res.arrayBuffer());
            out.download = { url, finalUrl: res.url, status: res.status, bytes: body.length,
              sha256: createHash("sha256").update(body).digest("hex") };
            const name = "_doc/update/" + decodeURIComponent(new URL(url).pathname.split("/").pop());
            cb({ filename: name }, res.status);
            if (res.status !== 200) done("download failed");
          } catch (e) { out.error = String(e); cb({}, 0); done("download error"); }
        },
      };
    },
  },
};

globalThis.uni = {
  getSystemInfoSync: () => ({ platform: a.platform, deviceId: a.deviceId, brand: "test", model: "harness", system: a.platform }),
  async request({ url, method, data, success, fail }) {
    out.requests.push(url);
    try {
      const res = await fetch(url, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });
      success({ statusCode: res.status, data: await res.json() });
    } catch (e) { fail(e); }
  },
};

const { default: Pushy } = await import(new URL("src/index.js", "file://" + a.sdk.replace(/\/?$/, "/")).href);
const pushy = new Pushy({ projectId: a.projectId, updateUrl: a.updateUrl, log: false });
const res = await pushy.getUpdate();
out.statusCode = res.statusCode;
if (res.statusCode !== 251 && res.statusCode !== 252) done("no update");
// A silent update that the SDK skips ends nowhere: bounded here.
setTimeout(() => done("timeout"), 5000).unref();
await finished;
console.log(JSON.stringify(out));
process.exit(0);
