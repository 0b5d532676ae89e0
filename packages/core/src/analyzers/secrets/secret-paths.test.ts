import { describe, expect, it } from "vitest";
import { runAnalyzer } from "../../testing/image-builder.js";
import { planFor } from "./secret-paths.js";
import { secretFilesAnalyzer } from "./secret-files.js";

describe("secret path prefilter: a name that says secret is read whatever its extension", () => {
  it.each([
    "/app/config/db-password.txt",
    "/srv/db_passwd",
    "/opt/app/api-token",
    "/home/app/aws-credentials.bak",
    "/app/app.secret",
    "/etc/app/Secrets.txt",
  ])("%s is read for assignments", (path) => {
    expect(planFor(path)).toMatchObject({ read: true, assignments: "ini" });
  });

  it.each([
    ["/app/password.example.txt", "an example"],
    ["/usr/share/doc/pkg/password.txt", "a package tree"],
    ["/app/src/passwords.py", "source code keeps the token rules only"],
    ["/app/notes.txt", "a name that says nothing"],
  ])("%s is not read for assignments (%s)", (path) => {
    expect(planFor(path).assignments).toBeUndefined();
  });

  it("finds db_password=… in /app/config/db-password.txt", () => {
    const findings = runAnalyzer(secretFilesAnalyzer, {
      layers: [[{ path: "/app/config/db-password.txt", content: "db_user=app\ndb_password=Zq7!vR2m#Kp9xW4t\n" }]],
    });
    expect(findings.map((f) => [f.ruleId, f.path, f.evidence?.["key"]])).toEqual([
      ["secret-password-assignment", "/app/config/db-password.txt", "db_password"],
    ]);
    expect(JSON.stringify(findings)).not.toContain("Zq7!vR2m#Kp9xW4t");
  });

  it("a secret-named file without an assignment yields nothing", () => {
    expect(runAnalyzer(secretFilesAnalyzer, { layers: [[{ path: "/app/password-policy.txt", content: "minimum length: 12\n" }]] })).toEqual([]);
  });
});
