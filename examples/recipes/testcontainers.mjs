// Node (npm i -D testcontainers). Run from the repository root: node examples/recipes/testcontainers.mjs
import { GenericContainer, Wait } from "testcontainers";

const container = await new GenericContainer("wiremock/wiremock:3.13.2")
  .withExposedPorts(8080)
  .withCopyDirectoriesToContainer([
    { source: "mappings", target: "/home/wiremock/mappings" },
    { source: "__files", target: "/home/wiremock/__files" },
  ])
  .withWaitStrategy(Wait.forHttp("/__admin/health", 8080))
  .start();

const base = `http://${container.getHost()}:${container.getMappedPort(8080)}`;
const res = await fetch(`${base}/v2/users/login`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ username: "demo", password: "demo" }),
});
console.log(res.status, (await res.json()).token.slice(0, 20));
await container.stop();
