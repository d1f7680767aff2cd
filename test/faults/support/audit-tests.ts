import type { AuditReport } from './delivery-audit';
import type { FaultScenario } from './fault-scenario';

/**
 * Declares the checks every scenario ends with, against the audit that the
 * scenario's fault test left in `scenario.report`.
 */
export function describeAudit(
  scenarioOf: () => FaultScenario | undefined,
): void {
  const reportOf = (): AuditReport => {
    const report = scenarioOf()?.report;
    if (!report)
      throw new Error('no audit: the scenario did not run to its settle step');
    return report;
  };

  describe('once the queues have drained', () => {
    it('balances the ledger', () => {
      const { ledger } = reportOf();
      const ended =
        ledger.delivered +
        ledger.dead_lettered +
        ledger.throttled +
        ledger.dropped;
      expect(ledger.created).toBe(ended);
    });

    it('creates one delivery per accepted signal', () => {
      const report = reportOf();
      expect(report.ledger.created).toBe(report.accepted);
      expect(report.deliveryCountMismatches).toEqual([]);
    });

    it('routes and ends every accepted signal', () => {
      const report = reportOf();
      expect(report.missing).toEqual([]);
      expect(report.unrouted).toEqual([]);
      expect(report.unfinished).toEqual([]);
    });

    it('sends every delivered delivery to the receiver', () => {
      expect(reportOf().deliveredUnseen).toEqual([]);
    });

    it('loses no accepted signal', () => {
      expect(reportOf().lost).toEqual([]);
    });

    it('repeats a delivery only under its own ids', () => {
      expect(reportOf().identityMismatches).toEqual([]);
    });

    it('keeps dead letters only of dead-lettered deliveries', () => {
      const report = reportOf();
      expect(report.deadLetterMismatches).toEqual([]);
      expect(report.deadLetterEntries).toBe(report.ledger.dead_lettered);
    });

    it('leaves no job in a failed set', () => {
      const failed = scenarioOf()?.failed;
      expect(failed).toEqual({ signals: 0, deliveries: 0 });
    });
  });
}
