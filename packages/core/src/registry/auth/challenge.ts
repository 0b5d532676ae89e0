/**
 * WWW-Authenticate parsing (RFC 9110 §11.6.1, RFC 6750 §3). One header may
 * hold several challenges, and a response may carry several headers
 * (https://distribution.github.io/distribution/spec/auth/token/).
 */
export interface Challenge {
  /** Lowercased: "bearer", "basic", … */
  scheme: string;
  /** Parameter names lowercased; values unquoted. */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseChallenges(headers: string | string[] | undefined): Challenge[] {
  if (headers === undefined) return [];
  const out: Challenge[] = [];
  for (const h of Array.isArray(headers) ? headers : [headers]) out.push(...parseOne(h));
  return out;
}

function parseOne(header: string): Challenge[] {
  const out: Challenge[] = [];
  let s = header;
  let current: Challenge | undefined;
  const skip = (re: RegExp) => {
    s = s.replace(re, "");
  };
  for (let guard = 0; s.length > 0 && guard < 1000; guard++) {
    skip(/^[\s,]+/);
    const tok = TOKEN.exec(s)?.[0];
    if (!tok) {
      s = s.slice(1); // unreadable character: skip it, never loop
      continue;
    }
    const afterTok = s.slice(tok.length);
    const eq = /^\s*=\s*/.exec(afterTok);
    if (current && eq && !/^=+\s*(,|$)/.test(afterTok.trimStart())) {
      // auth-param: name=value
      s = afterTok.slice(eq[0].length);
      let value: string;
      if (s.startsWith('"')) {
        let i = 1;
        value = "";
        while (i < s.length && s[i] !== '"') {
          if (s[i] === "\\" && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        s = s.slice(i + 1);
      } else {
        value = /^[^,\s]*/.exec(s)![0];
        s = s.slice(value.length);
      }
      current.params[tok.toLowerCase()] = value;
      continue;
    }
    // A new challenge: scheme, possibly followed by a token68 we ignore.
    current = { scheme: tok.toLowerCase(), params: {} };
    out.push(current);
    s = afterTok;
    const t68 = /^\s+[A-Za-z0-9\-._~+/]+=*\s*(?=,|$)/.exec(s);
    if (t68 && !/=\s*[^=\s,]/.test(t68[0])) s = s.slice(t68[0].length);
    else skip(/^\s+/);
  }
  return out;
}

/** Bearer before Basic, as containerd prefers (https://github.com/containerd/containerd/blob/main/core/remotes/docker/authorizer.go). */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer" && c.params.realm) ?? challenges.find((c) => c.scheme === "basic");
}
