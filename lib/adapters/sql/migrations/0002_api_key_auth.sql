-- 0002_api_key_auth: find an API key by its prefix before the tenant is known.
--
-- Choice (design contract asks to document it): a SECURITY DEFINER function, not the admin
-- role. The authorizer then needs only the app role (no BYPASSRLS): it calls
-- api_key_lookup(prefix) in a transaction whose tenant is the nil uuid (no tenant rows
-- visible), and gets back at most the one key with that prefix plus its tenant's status.
-- Only the SHA-256 of the secret leaves the database; the caller compares it in constant time.
--
-- The function runs as the owner, which is under FORCE RLS too. Two narrow doors let it read:
--   * api_keys_auth_lookup: the owner may see the key whose prefix is in the transaction-local
--     setting glaf.auth_key_prefix, which only this function sets (and clears again);
--   * the tenant row through the existing tenants_select policy, by setting app.tenant_id to
--     the key's tenant for one statement and restoring the caller's value after it.
-- The owner could switch FORCE off anyway (it owns the tables), so these grant it nothing new;
-- the app and admin roles get no new row access at all.

create policy api_keys_auth_lookup on api_keys for select to {{owner_role}}
  using (prefix = nullif(current_setting('glaf.auth_key_prefix', true), ''));

create function api_key_lookup(p_prefix text)
  returns table (id uuid, tenant_id uuid, key_hash text, role text, expires_at timestamptz,
                 revoked_at timestamptz, tenant_status text)
  language plpgsql volatile security definer
  set search_path = pg_catalog, public
as $$
#variable_conflict use_column
declare
  k            api_keys%rowtype;
  hit          boolean;
  caller_tenant text := coalesce(current_setting('app.tenant_id', true), '');
begin
  perform set_config('glaf.auth_key_prefix', p_prefix, true);
  select * into k from api_keys where prefix = p_prefix;
  hit := found;
  perform set_config('glaf.auth_key_prefix', '', true);
  if not hit then
    return;
  end if;
  perform set_config('app.tenant_id', k.tenant_id::text, true);
  return query
    select k.id, k.tenant_id, k.key_hash, k.role, k.expires_at, k.revoked_at, t.status
    from tenants t where t.id = k.tenant_id;
  perform set_config('app.tenant_id', caller_tenant, true);
end $$;

revoke all on function api_key_lookup(text) from public;
grant execute on function api_key_lookup(text) to {{app_role}};
