/**
 * A fake Lake Formation endpoint on 127.0.0.1: node:http speaking the service's REST-JSON
 * protocol (POST /<Operation>, JSON body, errors as `x-amzn-errortype` + `{ Message }`) for the
 * four calls pool-tenant onboarding makes. It keeps data cells filters and grants the way the
 * service relates them: a grant on a filter needs the filter, re-granting changes nothing,
 * revoking what is not granted is refused with "No permissions revoked", creating an existing
 * filter is AlreadyExistsException, deleting a missing one EntityNotFoundException. Requests must
 * be SigV4-signed JSON. A rule can fail chosen calls (throttling, outages).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFilter {
  readonly TableCatalogId: string;
  readonly DatabaseName: string;
  readonly TableName: string;
  readonly Name: string;
  readonly RowFilter: { readonly FilterExpression: string };
  readonly ColumnWildcard: { readonly ExcludedColumnNames: readonly string[] };
}

export interface FakeGrant {
  readonly principal: string;
  readonly condition: string | undefined;
  /** `database:<catalog>/<db>` or `filter:<catalog>/<db>/<table>/<name>`. */
  readonly resource: string;
  readonly permission: string;
}

export interface FakeCall {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/** Return an error type (and status) to fail this call, or undefined to serve it. */
export type LfFailureRule = (call: FakeCall, n: number) => { type: string; status: number } | undefined;

export interface FakeLakeFormation {
  readonly endpoint: string;
  readonly filters: Map<string, FakeFilter>;
  readonly grants: Map<string, FakeGrant>;
  readonly calls: FakeCall[];
  failWith(rule: LfFailureRule | undefined): void;
  close(): Promise<void>;
}

const OPERATIONS = new Set([
  'CreateDataCellsFilter',
  'DeleteDataCellsFilter',
  'GrantPermissions',
  'RevokePermissions',
]);

class LfError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const filterKey = (f: {
  TableCatalogId?: unknown;
  DatabaseName?: unknown;
  TableName?: unknown;
  Name?: unknown;
}) => `${String(f.TableCatalogId)}/${String(f.DatabaseName)}/${String(f.TableName)}/${String(f.Name)}`;

export async function startFakeLakeFormation(): Promise<FakeLakeFormation> {
  const filters = new Map<string, FakeFilter>();
  const grants = new Map<string, FakeGrant>();
  const calls: FakeCall[] = [];
  let rule: LfFailureRule | undefined;

  const resourceOf = (r: Record<string, Record<string, unknown> | undefined>): string => {
    const keys = Object.keys(r);
    if (keys.length !== 1) throw new LfError('InvalidInputException', 'Exactly one resource must be given');
    if (r.Database) return `database:${String(r.Database.CatalogId)}/${String(r.Database.Name)}`;
    if (r.DataCellsFilter) {
      const key = filterKey(r.DataCellsFilter);
      if (!filters.has(key))
        throw new LfError('EntityNotFoundException', `Data cells filter ${key} not found`);
      return `filter:${key}`;
    }
    throw new LfError('InvalidInputException', `Unsupported resource ${keys[0]}`);
  };

  const grantsOf = (body: Record<string, unknown>): FakeGrant[] => {
    const principal = (body.Principal as { DataLakePrincipalIdentifier?: string } | undefined)
      ?.DataLakePrincipalIdentifier;
    if (!principal) throw new LfError('InvalidInputException', 'Principal is required');
    if (!/^\d{12}$/.test(String(body.CatalogId))) throw new LfError('InvalidInputException', 'CatalogId');
    const condition = (body.Condition as { Expression?: string } | undefined)?.Expression;
    if (principal.endsWith(':IAMPrincipals') && !condition)
      throw new LfError('InvalidInputException', 'An IAMPrincipals grant needs a condition');
    const withGrant = body.PermissionsWithGrantOption as unknown[] | undefined;
    if (condition && withGrant?.length)
      throw new LfError('InvalidInputException', 'Grantable permissions are not available with ABAC');
    const resource = resourceOf(body.Resource as Record<string, Record<string, unknown> | undefined>);
    const permissions = body.Permissions as string[] | undefined;
    if (!permissions?.length) throw new LfError('InvalidInputException', 'Permissions are required');
    return permissions.map((permission) => ({ principal, condition, resource, permission }));
  };
  const grantKey = (g: FakeGrant) => JSON.stringify([g.principal, g.condition, g.resource, g.permission]);

  const serve = (operation: string, body: Record<string, unknown>): Record<string, unknown> => {
    switch (operation) {
      case 'CreateDataCellsFilter': {
        const f = body.TableData as FakeFilter | undefined;
        if (!f?.Name || !f.RowFilter?.FilterExpression || !f.ColumnWildcard)
          throw new LfError('InvalidInputException', 'TableData needs Name, RowFilter and ColumnWildcard');
        const key = filterKey(f);
        if (filters.has(key))
          throw new LfError('AlreadyExistsException', `Data cells filter ${key} already exists`);
        filters.set(key, f);
        return {};
      }
      case 'DeleteDataCellsFilter': {
        const key = filterKey(body);
        if (!filters.delete(key))
          throw new LfError('EntityNotFoundException', `Data cells filter ${key} not found`);
        // The service drops the grants on a deleted filter with it.
        for (const [k, g] of grants) if (g.resource === `filter:${key}`) grants.delete(k);
        return {};
      }
      case 'GrantPermissions':
        for (const g of grantsOf(body)) grants.set(grantKey(g), g);
        return {};
      case 'RevokePermissions': {
        const wanted = grantsOf(body);
        if (!wanted.every((g) => grants.has(grantKey(g))))
          throw new LfError(
            'InvalidInputException',
            'No permissions revoked. Grantee has no permissions and no grantable permissions on resource',
          );
        for (const g of wanted) grants.delete(grantKey(g));
        return {};
      }
      default:
        throw new LfError('UnknownOperationException', operation, 404);
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown, errorType?: string): void => {
        res.writeHead(status, {
          'content-type': 'application/json',
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(JSON.stringify(body));
      };
      try {
        const operation = (req.url ?? '').replace(/^\//, '').split('?')[0]!;
        if (req.method !== 'POST' || !OPERATIONS.has(operation))
          throw new LfError('UnknownOperationException', `${req.method} ${req.url}`, 404);
        if (!String(req.headers['authorization']).startsWith('AWS4-HMAC-SHA256 '))
          throw new LfError('AccessDeniedException', 'request is not SigV4-signed', 403);
        if (!String(req.headers['content-type']).startsWith('application/json'))
          throw new LfError('InvalidInputException', 'JSON body expected');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        const call = { operation, body };
        calls.push(call);
        const failure = rule?.(call, calls.length);
        if (failure) throw new LfError(failure.type, `fake ${failure.type}`, failure.status);
        reply(200, serve(operation, body));
      } catch (err) {
        if (!(err instanceof LfError))
          return reply(500, { Message: String(err) }, 'InternalServiceException');
        reply(err.status, { Message: err.message }, err.type);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    filters,
    grants,
    calls,
    failWith: (r) => {
      rule = r;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
