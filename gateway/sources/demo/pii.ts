import { demoIso } from "./clock.ts";
import { compact, ipAddress, MALFORMED_TIMESTAMPS, personName, uuid } from "./messy.ts";
import { hash32, randomFor } from "./random.ts";

const EVENTS = ["signup", "login", "login", "login", "logout", "password_reset"] as const;
const COUNTRIES = ["US", "DE", "JP", "BR", "IN", "FR", "KR", "NG", "GB", "VN"] as const;
const DOMAINS = ["example.com", "mail.example", "posteo.example", "例え.jp", "example.org"] as const;
const AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "okhttp/4.12.0",
] as const;

/** Users are drawn from a fixed population, so the same person signs up once and logs in often. */
const USERS = 5000;

/**
 * Account events carrying personal data: email, name, phone, IP. Messy
 * shares: names in other scripts (8%), null phone (15%) or no phone field
 * (5%), empty email (0.5%), email with capitals and spaces (3%), IPv6 (10%),
 * malformed `ts` (0.5%).
 */
export function piiEvent(seed: number, i: number, rate: number): unknown {
  const r = randomFor(seed, i);
  const user = r.int(0, USERS - 1);
  const person = randomFor(seed, user, hash32(7));
  const name = personName(person);
  const local = `${name.split(" ")[0]!.toLowerCase()}.${user}`;
  let email = `${local}@${person.pick(DOMAINS)}`;
  if (r.chance(0.03)) email = `  ${email.toUpperCase()} `;
  if (r.chance(0.005)) email = "";
  const phone = r.chance(0.05) ? undefined : r.chance(0.16) ? null : `+${person.pick(["1", "49", "81", "55", "91"])} ${person.int(200, 999)} ${person.int(100, 999)} ${person.int(1000, 9999)}`;
  return compact({
    event: r.pick(EVENTS),
    user_id: uuid(person),
    email,
    name,
    phone,
    ip: ipAddress(r),
    country: person.pick(COUNTRIES),
    user_agent: r.pick(AGENTS),
    marketing_opt_in: person.chance(0.3),
    ts: r.chance(0.005) ? r.pick(MALFORMED_TIMESTAMPS) : demoIso(i, rate),
  });
}
