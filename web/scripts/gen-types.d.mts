/** generate renders src/api/schema.gen.ts from a swagger 2.0 document (scripts/gen-types.mjs). */
export function generate(doc: unknown): string
