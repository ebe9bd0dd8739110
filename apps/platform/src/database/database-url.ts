/** Injection token: the connection string of the platform's database (embedded or server). */
export const DATABASE_URL = Symbol('DATABASE_URL');
