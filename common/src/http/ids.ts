import { z } from 'zod';

const uuid = z.uuid();

/** Ids are UUIDs; anything else names nothing, so routes answer it like an unknown id (404). */
export const isUuid = (value: unknown): value is string => uuid.safeParse(value).success;
