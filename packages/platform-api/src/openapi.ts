// The OpenAPI 3.1 document of the contract, generated from the route table and the named zod
// schemas so that it cannot drift from what the emulator checks and the CLI parses.
import * as z from 'zod';
import { apiSchemas } from './components.js';
import { ENVIRONMENTS } from './environments.js';
import { ERROR_STATUS, type ErrorCode } from './errors.js';
import { type RouteDefinition, routeList } from './routes.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiOptions {
  /** Base of the server, without the environment: `http://127.0.0.1:4100`. */
  baseUrl?: string;
}

const componentRef = (id: string): string => `#/components/schemas/${id}`;

function withoutDraftKeywords(schema: unknown): JsonSchema {
  const { $schema: _draft, $id: _id, ...rest } = schema as JsonSchema;
  return rest;
}

/** Request bodies are described as clients send them (defaults optional), the rest as sent back. */
function requestSchemaIds(): Set<string> {
  const ids = new Set<string>();
  for (const route of routeList) {
    const body = route.request.body;
    const id = body === undefined ? undefined : apiSchemas.get(body)?.id;
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

function componentSchemas(): Record<string, JsonSchema> {
  const uri = componentRef;
  const inputs = z.toJSONSchema(apiSchemas, { io: 'input', uri }).schemas;
  const outputs = z.toJSONSchema(apiSchemas, { io: 'output', uri }).schemas;
  const requests = requestSchemaIds();
  const result: Record<string, JsonSchema> = {};
  for (const id of Object.keys(outputs).sort()) {
    result[id] = withoutDraftKeywords(requests.has(id) ? inputs[id] : outputs[id]);
  }
  return result;
}

function schemaOrRef(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = apiSchemas.get(schema)?.id;
  if (id !== undefined) return { $ref: componentRef(id) };
  return withoutDraftKeywords(z.toJSONSchema(schema, { io }));
}

function parameters(
  schema: z.ZodObject | undefined,
  location: 'path' | 'query' | 'header',
): JsonSchema[] {
  if (schema === undefined) return [];
  const json = withoutDraftKeywords(z.toJSONSchema(schema, { io: 'input' }));
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: property,
  }));
}

function errorResponses(codes: readonly ErrorCode[]): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: statusCodes.join(', '),
      'x-error-codes': statusCodes,
      ...(status === 429
        ? { headers: { 'Retry-After': { schema: { type: 'integer', minimum: 0 } } } }
        : {}),
      content: { 'application/json': { schema: { $ref: componentRef('Error') } } },
    };
  }
  return responses;
}

function operation(route: RouteDefinition): JsonSchema {
  const successes: Record<string, JsonSchema> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    successes[status] =
      schema === null
        ? { description: 'No content' }
        : {
            description: 'Success',
            content: { 'application/json': { schema: schemaOrRef(schema, 'output') } },
          };
  }
  const body = route.request.body;
  return {
    operationId: route.operationId,
    summary: route.summary,
    'x-auth': route.auth,
    security: route.auth === 'none' ? [] : [{ bearerAuth: [] }, { apiKey: [] }],
    parameters: [
      ...parameters(route.request.params, 'path'),
      ...parameters(route.request.query, 'query'),
      ...parameters(route.request.headers, 'header'),
    ],
    ...(body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOrRef(body, 'input') } },
          },
        }),
    responses: { ...successes, ...errorResponses(route.errors) },
  };
}

/** The whole contract as OpenAPI 3.1; each environment is a value of the server variable. */
export function openApiDocument(options: OpenApiOptions = {}): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routeList) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'HLA-Compass platform API',
      version: '1.0.0',
      description:
        'The catalog API of an HLA-Compass environment. Every response carries `X-Request-Id`; errors are `{code, message, requestId, details?}`.',
    },
    servers: [
      {
        url: `${options.baseUrl ?? 'http://127.0.0.1:4100'}/{environment}`,
        variables: { environment: { default: 'local', enum: [...ENVIRONMENTS] } },
      },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}
