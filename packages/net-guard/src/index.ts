export type { AllowRule, IpAddress } from './allow-rule';
export { parseAllowTargets } from './allow-rule';
export type { CheckResult } from './is-address-allowed';
export { isAddressAllowed } from './is-address-allowed';
export type { TargetUrlResult } from './target-url';
export {
  hostLiteralAddress,
  isLocalhostName,
  parseTargetUrl,
  targetPort,
} from './target-url';
export type { AddressFamily, AddressResolver } from './resolve-host';
export { systemResolver } from './resolve-host';
export { checkTargetAtSave } from './check-target-at-save';
export { createGuardedLookup } from './guarded-lookup';
export type { GuardedConnectorOptions } from './guarded-connector';
export { createGuardedConnector } from './guarded-connector';
export {
  InvalidAllowRuleError,
  NET_GUARD_ERROR_CODES,
  TargetRefusedError,
} from './net-guard-errors';
