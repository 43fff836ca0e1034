// Drives the stock CodePush acquisition SDK (code-push 4.2.x) against a
// running Hoist for the Go tests. Usage:
//   node driver.cjs '{"serverUrl","deploymentKey","appVersion","clientUniqueId","op",...}'
// op "check" (with "current": the running package) prints the SDK's
// remote package (or null); "split" checks "ids" clients and prints how many
// were offered an update; "deploy"/"download" send the reports.
const { AcquisitionManager } = require("code-push/script/acquisition-sdk");
const http = require("http");

const requester = {
  request(verb, url, body, cb) {
    if (typeof body === "function") { cb = body; body = undefined; }
    const req = http.request(url, { method: ["GET", "HEAD", "POST", "PUT", "DELETE"][verb] || "GET",
      headers: { "Content-Type": "application/json", "X-CodePush-SDK-Version": "4.2.3" } }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => cb(null, { statusCode: res.statusCode, body: data }));
    });
    req.on("error", (e) => cb(e));
    if (body) req.write(body);
    req.end();
  },
};

const a = JSON.parse(process.argv[2]);
const mgr = (id) => new AcquisitionManager(requester, { serverUrl: a.serverUrl, appVersion: a.appVersion,
  clientUniqueId: id, deploymentKey: a.deploymentKey });
const current = Object.assign({ appVersion: a.appVersion }, a.current || {});
const fail = (e) => { console.error(String(e && e.message || e)); process.exit(1); };

if (a.op === "check") {
  mgr(a.clientUniqueId).queryUpdateWithCurrentPackage(current, (err, pkg) => err ? fail(err) : console.log(JSON.stringify(pkg)));
} else if (a.op === "split") {
  let offered = 0, done = 0;
  for (let i = 0; i < a.ids; i++) {
    mgr("client-" + i).queryUpdateWithCurrentPackage(current, (err, pkg) => {
      if (err) fail(err);
      if (pkg && !pkg.updateAppVersion) offered++;
      if (++done === a.ids) console.log(JSON.stringify({ offered }));
    });
  }
} else if (a.op === "deploy") {
  mgr(a.clientUniqueId).reportStatusDeploy(a.package || null, a.status, a.previous, a.previousKey,
    (err) => err ? fail(err) : console.log("null"));
} else if (a.op === "download") {
  mgr(a.clientUniqueId).reportStatusDownload(a.package, (err) => err ? fail(err) : console.log("null"));
}
