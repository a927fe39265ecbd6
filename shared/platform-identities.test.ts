import { FUNCTION_NAMES } from "../functions/index.ts";
import { platformIdentities, platformIdentitiesFromEnv, PLATFORM_FUNCTIONS } from "./platform-identities.ts";

const ACCOUNTS = [
  "system:serviceaccount:icn-system:cordon-tenant",
  "system:serviceaccount:icn-system:label-kata-node",
  "system:serviceaccount:icn-system:provision-tenant",
  "system:serviceaccount:icn-system:quarantine-runc-pod",
  "system:serviceaccount:icn-system:report-kata-failure",
  "system:serviceaccount:icn-system:retire-tenant",
  "system:serviceaccount:icn-system:uncordon-tenant",
  "system:serviceaccount:icn-system:untaint-kata-node",
];

test("every shipped function is a platform identity by default", () => {
  expect([...PLATFORM_FUNCTIONS].sort()).toEqual([...FUNCTION_NAMES].sort());
  expect(platformIdentitiesFromEnv({})).toEqual(ACCOUNTS);
});

test("two hosts that list the same identities differently write the same list", () => {
  const one = platformIdentitiesFromEnv({ ICN_PLATFORM_IDENTITIES: "icn-admin" });
  const other = platformIdentitiesFromEnv({
    ICN_PLATFORM_IDENTITIES: ` ${ACCOUNTS[2]}, icn-admin,${ACCOUNTS[0]},icn-admin `,
  });
  expect(other).toEqual(one);
  expect(one).toEqual(platformIdentities(["icn-admin"]));
});

test("the environment adds identities but never drops the functions' own", () => {
  expect(platformIdentitiesFromEnv({ ICN_PLATFORM_IDENTITIES: "ops-bot" })).toEqual(
    [...ACCOUNTS, "ops-bot"].sort(),
  );
});
