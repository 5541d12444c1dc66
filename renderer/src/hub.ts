// The renderer's one client of the hub; connection.ts opens and reopens it.
import { BenchscopeClient } from '../../shared/client/client';

export const client = new BenchscopeClient();
