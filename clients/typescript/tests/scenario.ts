/**
 * The TypeScript client against a live `roster serve` (run by tests/e2e/clients.rs): an
 * organization, members, a group with a member, the group's members over two pages, the
 * member's claims read with `min_position`, and a refusal thrown as `RosterProblem`.
 *
 *     node dist/tests/scenario.js <base url> <admin key>
 */
import { ok, Roster, RosterProblem, type Schemas } from "../src/index.js";

async function refused(call: Promise<unknown>): Promise<RosterProblem> {
  try {
    await call;
  } catch (e) {
    if (e instanceof RosterProblem) return e;
    throw e;
  }
  throw new Error("the request was accepted");
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`failed: ${what}`);
}

async function main(baseUrl: string, key: string): Promise<void> {
  const roster = new Roster(baseUrl, key);
  const org = await ok(roster.api.POST("/v1/organizations", { body: { name: "Acme (TypeScript)" } }));
  const members: Schemas["MembershipDataChange"][] = [];
  for (const i of [0, 1, 2]) {
    members.push(
      await ok(
        roster.api.POST("/v1/organizations/{org_id}/memberships", {
          params: { path: { org_id: org.id } },
          body: { user_id: `user-${i}`, roles: ["member"] },
        }),
      ),
    );
  }
  const group = await ok(
    roster.api.POST("/v1/organizations/{org_id}/groups", {
      params: { path: { org_id: org.id } },
      body: { name: "Engineering" },
    }),
  );
  let position = 0;
  for (const member of members) {
    const added = await ok(
      roster.api.POST("/v1/groups/{id}/members", {
        params: { path: { id: group.id } },
        body: { membership_id: member.id },
      }),
    );
    position = added.position;
  }
  // Two pages of two: the iterator follows `list_metadata.after`.
  const listed: string[] = [];
  for await (const m of roster.pages((after: string | undefined) =>
    roster.api.GET("/v1/groups/{id}/members", {
      params: { path: { id: group.id }, query: { limit: 2, after, min_position: position } },
    }),
  )) {
    listed.push(m.id);
  }
  check(
    JSON.stringify([...listed].sort()) === JSON.stringify(members.map((m) => m.id).sort()),
    `the group's members over two pages: ${listed}`,
  );
  const claims = await ok(
    roster.api.GET("/v1/organizations/{org_id}/claims", {
      params: { path: { org_id: org.id }, query: { user_id: "user-0", min_position: position } },
    }),
  );
  check(JSON.stringify(claims.roles) === '["member"]', `claims: ${JSON.stringify(claims)}`);
  check(claims.membership_id === members[0]?.id, "the claims are user-0's");
  check(
    JSON.stringify(claims.groups.map((g) => [g.id, g.name])) === JSON.stringify([[group.id, "Engineering"]]),
    `the claims' groups: ${JSON.stringify(claims.groups)}`,
  );
  // The same user twice: 409, thrown as RosterProblem naming what went wrong.
  const conflict = await refused(
    ok(
      roster.api.POST("/v1/organizations/{org_id}/memberships", {
        params: { path: { org_id: org.id } },
        body: { user_id: "user-0" },
      }),
    ),
  );
  check(conflict.status === 409, `a second membership: ${conflict.message}`);
  check(conflict.type.startsWith("https://roster.dev/problems/"), conflict.type);
  // A bad field: 400 naming it.
  const bad = await refused(ok(roster.api.POST("/v1/organizations", { body: { name: " " } })));
  check(bad.status === 400 && bad.errors.map((e) => e.field).join() === "name", bad.message);
  console.log(`typescript client: ${listed.length} group members over 2 pages, claims ${claims.roles}`);
}

const [baseUrl, key] = process.argv.slice(2);
if (baseUrl === undefined || key === undefined) {
  console.error("usage: node dist/tests/scenario.js <base url> <admin key>");
  process.exit(2);
}
main(baseUrl, key).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
