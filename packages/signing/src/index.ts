export type { SignatureScheme } from './signature-scheme';
export { SIGNATURE_SCHEMES, isSignatureScheme } from './signature-scheme';
export { SIGNING_DEFAULTS } from './signing-defaults';
export {
  SIGNATURE_HEADER_NAMES,
  signatureHeadersFor,
} from './signature-headers';
export { validateSecret } from './validate-secret';
export type { SignInput } from './sign-request';
export { signRequest } from './sign-request';
export type { SigningErrorCode } from './signing-error';
export { SIGNING_ERROR_CODES, SigningError } from './signing-error';
export { timingSafeEqualText } from './timing-safe-equal-text';
