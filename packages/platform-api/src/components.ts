// The named schemas of the contract: each becomes `#/components/schemas/<id>` in the OpenAPI
// document, so the document and the TypeScript types share their names.
import * as z from 'zod';

export const apiSchemas = z.registry<{ id: string; description?: string }>();
