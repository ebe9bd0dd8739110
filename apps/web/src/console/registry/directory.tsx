import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useSignedIn } from '../../session/session';
import type { OrgUnit, Resident, UserView } from './registry-types';

/**
 * Names for ids: alerts and orders carry resident, org unit and caregiver ids; the boards show names.
 * Loaded once per sign-in (lists are capped at 500; unknown residents are fetched one by one).
 */
interface DirectoryValue {
  residents: Map<string, Resident>;
  users: Map<string, UserView>;
  orgUnits: OrgUnit[];
  /** The units something can be placed in: the active ones, plus `currentId` (where it already is). */
  orgUnitChoices: (currentId?: string | null) => OrgUnit[];
  residentName: (id: string | null | undefined) => string;
  userName: (id: string | null | undefined) => string;
  orgUnitName: (id: string | null | undefined) => string;
  rememberResident: (resident: Resident) => void;
  reload: () => void;
}

const DirectoryContext = createContext<DirectoryValue | null>(null);

export function DirectoryProvider({ children }: { children: ReactNode }) {
  const { api } = useSignedIn();
  const [residents, setResidents] = useState(new Map<string, Resident>());
  const [users, setUsers] = useState(new Map<string, UserView>());
  const [orgUnits, setOrgUnits] = useState<OrgUnit[]>([]);
  const [generation, setGeneration] = useState(0);
  const requested = useRef(new Set<string>());

  useEffect(() => {
    let live = true;
    void api
      .list<Resident>('/residents')
      .then((r) => live && setResidents(new Map(r.items.map((x) => [x.id, x]))))
      .catch(() => undefined);
    void api
      .list<UserView>('/users')
      .then((r) => live && setUsers(new Map(r.items.map((x) => [x.id, x]))))
      .catch(() => undefined);
    void api
      .get<OrgUnit[]>('/org-units')
      .then((r) => live && setOrgUnits(Array.isArray(r) ? r : []))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, generation]);

  const rememberResident = useCallback((resident: Resident) => {
    setResidents((prev) => new Map(prev).set(resident.id, resident));
  }, []);

  const residentName = useCallback(
    (id: string | null | undefined) => {
      if (!id) return '—';
      const known = residents.get(id);
      if (known) return known.name;
      if (!requested.current.has(id)) {
        requested.current.add(id);
        void api
          .get<Resident>(`/residents/${id}`)
          .then(rememberResident)
          .catch(() => undefined);
      }
      return '…';
    },
    [api, residents, rememberResident],
  );

  const value = useMemo<DirectoryValue>(
    () => ({
      residents,
      users,
      orgUnits,
      orgUnitChoices: (currentId) => orgUnits.filter((u) => u.active !== false || u.id === currentId),
      residentName,
      userName: (id) => {
        if (!id) return '—';
        const u = users.get(id);
        return u ? (u.displayName ?? u.username) : id.slice(0, 8);
      },
      orgUnitName: (id) => orgUnits.find((u) => u.id === id)?.name ?? '—',
      rememberResident,
      reload: () => setGeneration((g) => g + 1),
    }),
    [residents, users, orgUnits, residentName, rememberResident],
  );
  return <DirectoryContext.Provider value={value}>{children}</DirectoryContext.Provider>;
}

export function useDirectory(): DirectoryValue {
  const value = useContext(DirectoryContext);
  if (!value) throw new Error('useDirectory outside DirectoryProvider');
  return value;
}
