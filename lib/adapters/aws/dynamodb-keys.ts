/** Key builders for the execution table (layout documented in config/execution-table.ts). */
import type { ExecutionStatus } from '../../domain/execution.js';

export const tenantPk = (tenantId: string): string => `TENANT#${tenantId}`;
export const execSk = (executionId: string): string => `EXEC#${executionId}`;
export const idempSk = (key: string): string => `IDEMP#${key}`;
export const usageSk = (month: string): string => `USAGE#${month}`;
export const webhookSeqSk = (webhookId: string): string => `WEBHOOK#${webhookId}#SEQ`;
export const deliveryPrefix = (webhookId: string): string => `WEBHOOK#${webhookId}#DELIVERY#`;
/** Zero-padded so the sort key orders deliveries numerically. */
export const deliverySk = (webhookId: string, n: number): string =>
  `${deliveryPrefix(webhookId)}${String(n).padStart(10, '0')}`;
/** The settlement of one event at one webhook (webhook-ledger.ts): outside the DELIVERY# prefix. */
export const webhookEventSk = (webhookId: string, eventId: string): string =>
  `WEBHOOK#${webhookId}#EVENT#${eventId}`;

export const statusPk = (tenantId: string, status: ExecutionStatus): string =>
  `${tenantPk(tenantId)}#STATUS#${status}`;
export const agentPk = (tenantId: string, agentId: string): string =>
  `${tenantPk(tenantId)}#AGENT#${agentId}`;
export const createdSk = (createdAt: string, executionId: string): string => `${createdAt}#${executionId}`;
