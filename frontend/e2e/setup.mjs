// Helpers of e2e/run.sh, in Node (a declared prerequisite) instead of curl and python:
//   node e2e/setup.mjs port                  print a free loopback TCP port
//   node e2e/setup.mjs ready BASE_URL        exit 0 when BASE_URL/readyz answers 200, 1 otherwise
//   node e2e/setup.mjs users BASE_URL ADMIN_PASSWORD
//                                            create one user per role (analyst, investigator,
//                                            supervisor, police, intake), each of whom signs in once with
//                                            the one-time password and chooses their own
import net from "node:net";

const [cmd, base, adminPassword] = process.argv.slice(2);

async function call(method, path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

const login = async (username, password) => (await call("POST", "/api/auth/login", { username, password })).token;

switch (cmd) {
  case "port": {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      console.log(srv.address().port);
      srv.close();
    });
    break;
  }
  case "ready":
    try {
      const res = await fetch(base + "/readyz");
      process.exit(res.ok ? 0 : 1);
    } catch {
      process.exit(1);
    }
    break;
  case "users": {
    const names = { analyst: "数据分析员甲", investigator: "调查员乙", supervisor: "科长丙", police: "公安联络员丁", intake: "举报受理员戊" };
    const admin = await login("admin", adminPassword);
    for (const [role, display_name] of Object.entries(names)) {
      const username = `e2e-${role}`;
      await call("POST", "/api/users", { username, password: `e2e-${role}-one-time`, role, display_name }, admin);
      // An admin-set password is one-time: each user signs in once and chooses their own, as a person would.
      const token = await login(username, `e2e-${role}-one-time`);
      await call("POST", "/api/auth/password", { old_password: `e2e-${role}-one-time`, new_password: `e2e-${role}-password` }, token);
    }
    break;
  }
  default:
    console.error("usage: node e2e/setup.mjs port | ready BASE_URL | users BASE_URL ADMIN_PASSWORD");
    process.exit(2);
}
