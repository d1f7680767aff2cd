/** Rejection message for a well-formed signature that matches no secret. */
export function describeNoMatch(header: string): string {
  return `no signature in header ${header} matches the body for any configured secret`;
}
