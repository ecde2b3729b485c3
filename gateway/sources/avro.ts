/**
 * Avro message values (`format: avro`): each value decoded with avsc under the source's schema into
 * the JSON value both Kafka readers (the notebook's sample, the runner) then treat exactly as they
 * treat a JSON event, so types, casts, dead letters and the pipeline follow from the JSON path. A
 * value in Confluent's Schema Registry framing (byte 0, a 4-byte schema id) is read after its header;
 * bare Avro binary is read whole. With `avro.registry` each value is read with the schema its header's
 * id names in that registry (avro-registry.ts), looked up before its batch is decoded
 * (`loadWriterSchemas`); with `avro.schema` beside it, that schema is the reader schema each writer
 * schema is resolved into (`resolveInto`, Avro's schema resolution, one resolver per writer schema),
 * so a topic whose schema evolved reads as one shape, and a writer schema that does not resolve makes
 * its values dead letters naming the id, the field and why. An Avro file's own schema is resolved into
 * it the same way (`AvroReader.into`, edge/runner/read-inputs.ts). The JSON each Avro type becomes is
 * `avroJson` (avro-json.ts), of the reader's type when values are resolved.
 */
import avro from "avsc";
import { NestingError } from "../../edge/duckdb/lossless-json.ts";
import type { AvroSpec } from "../../notebook/format/model.ts";
import { avroJson, AVRO_LOGICAL_TYPES, exactLongs, UNIT_DIGITS } from "./avro-json.ts";
import { openSchemaRegistry, type RegistryOptions, type SchemaRegistry } from "./avro-registry.ts";
import type { SourceEvent } from "./source.ts";

type Meta = Record<string, string | number>;

/** How a source's Avro values are read: with its schema file, or with their writers' schemas from a registry. */
export type ValueReader = AvroReader | RegistryReader;

/** A source's Avro schema, ready to decode values. */
export interface AvroReader {
  type: avro.Type;
  /** The schema's name for messages: a named type's full name, else its type. */
  name: string;
  /** `avro.schema_id`: the id every value's header must carry (null: a header is read when there is one). */
  schemaId: number | null;
  /** `avro.framing` (null: told by each value, a value read both ways refused). */
  framing: "confluent" | "none" | null;
  /** The source's name and its schema file, for messages. */
  source: string;
  file: string;
  /** `type` is a writer's schema (an Avro file's own) resolved into a reader schema: the values are read as that one (`resolveInto`). */
  into?: { type: avro.Type; resolver: avro.Resolver };
  registry?: undefined;
}

/**
 * `avro.registry`: every value carries Confluent's header, and is read with the schema registered under its id;
 * with `avro.schema` too, each writer schema is resolved into that reader schema (Avro's schema resolution).
 */
export interface RegistryReader {
  registry: SchemaRegistry;
  source: string;
  /** `avro.schema` beside `avro.registry`: the one shape every value is read as, whatever schema wrote it. */
  readerSchema?: ReaderSchema;
}

/** A reader schema (`avro.schema`) values of other writer schemas are resolved into, one resolver per writer schema. */
export interface ReaderSchema {
  type: avro.Type;
  /** The schema's JSON (the parsed `.avsc`). */
  definition: unknown;
  /** Its file as the notebook names it, and the source's name, for messages. */
  file: string;
  source: string;
  /** Each writer type's resolver into `type`, or why it has none. */
  resolvers: WeakMap<avro.Type, avro.Resolver | string>;
  /** An array of the schema, for an Avro file's blocks read whole (`readerArray`). */
  array?: ReaderSchema;
}

/** A reader schema for values written with other schemas (`resolveInto` resolves each into it). Throws avsc's words for a schema that is not Avro. */
export function readerSchema(definition: unknown, file: string, source: string): ReaderSchema {
  return { type: avroType(definition), definition, file, source, resolvers: new WeakMap() };
}

/** The reader schema of a source's values (`avro.schema`), to resolve other writers' values into; null when it names none. */
export function sourceReaderSchema(spec: AvroSpec | undefined, source: string): ReaderSchema | null {
  if (spec?.schema === undefined) return null;
  if (spec.definition === undefined) throw new Error(`avro: source ${source} reads Avro into the reader schema ${spec.schema}, but it was not loaded beside the notebook (loadAvroSchemas)`);
  return readerSchema(spec.definition, spec.schema, source);
}

/** An array of `reader`'s schema, made once. */
export function readerArray(reader: ReaderSchema): ReaderSchema {
  return (reader.array ??= readerSchema({ type: "array", items: reader.definition }, reader.file, reader.source));
}

/**
 * The resolver of `writer`'s values into `reader`'s shape, as Avro's schema resolution has it: fields the
 * writer lacks take the reader's defaults, fields the reader lacks are skipped, aliases match renamed fields
 * and records, int/long/float promote to wider numbers, string and bytes read as each other, an enum symbol
 * the reader lacks becomes its default. Why not, naming the field, when the writer's values cannot be read so.
 */
export function resolveInto(reader: ReaderSchema, writer: avro.Type): avro.Resolver | string {
  let resolved = reader.resolvers.get(writer);
  if (resolved === undefined) {
    try {
      resolved = reader.type.createResolver(writer, { ...resolving(), [BRANCH_BY_BRANCH]: true } as never);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      resolved = unresolvable(reader.type, writer, "") ?? error.message;
    }
    reader.resolvers.set(writer, resolved);
  }
  return resolved;
}

/**
 * Names of records and enums are matched without their namespaces, as Java's Avro (Confluent's
 * deserializer, Spark's from_avro) and Confluent's compatibility check match them: a producer's
 * `com.acme.Order` reads as the notebook's `shop.Order`.
 */
const resolving = () => ({ ignoreNamespaces: true }); // fresh each time: avsc keeps its resolvers of records in it, by name

/** A name without its namespace. */
const unqualified = (name: string): string => name.slice(name.lastIndexOf(".") + 1);

/**
 * Set in the options of `resolveInto`'s resolution: a writer's union read into a reader's type that is no
 * union is resolved branch by branch, and a branch the reader cannot read refuses only the values written in
 * it (`UnreadableValue`), as Java's Avro and fastavro refuse them: a producer that made a field nullable
 * before the notebook's .avsc did still has its non-null values read. avsc resolves the branches itself and
 * refused the whole writer schema; its types are frozen, so this is a wrapper of its `createResolver`, which
 * acts only under this option.
 */
const BRANCH_BY_BRANCH = Symbol("runnel.branchByBranch");
const avscCreateResolver = avro.Type.prototype.createResolver;
avro.Type.prototype.createResolver = function (this: avro.Type, writer: avro.Type, opts?: object): avro.Resolver {
  const lenient = opts !== undefined && (opts as Record<symbol, unknown>)[BRANCH_BY_BRANCH] === true;
  const branches = lenient && !avro.Type.isType(this, "union") ? unionTypes(writer) : null;
  if (branches === null) return avscCreateResolver.call(this, writer, opts as never);
  const readers = branches.map((branch) => {
    try {
      return avscCreateResolver.call(this, branch, opts as never) as unknown as { _read(tap: Tap): unknown };
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      const hint = branch.typeName === "null" ? "; make the reader's field a union with null" : "";
      const why = `the writer's ${described(branch)} (a branch of its ${described(writer)}) cannot be read as the reader's ${described(this)}${hint}`;
      return { _read: (): never => { throw new UnreadableValue(why); } };
    }
  });
  // No branch reads: the writer schema does not resolve, as avsc says.
  if (readers.every((r) => !("_readerType" in r))) return avscCreateResolver.call(this, writer, opts as never);
  return Object.freeze({
    _readerType: this,
    _read(tap: Tap): unknown {
      const index = tap.readLong();
      const branch = readers[index];
      if (branch === undefined) throw new Error(`invalid union index: ${index}`);
      return branch._read(tap);
    },
  }) as unknown as avro.Resolver;
};

/** A union's branches (null: not a union). */
function unionTypes(type: avro.Type): avro.Type[] | null {
  return avro.Type.isType(type, "union") ? (type as unknown as { types: avro.Type[] }).types : null;
}

/** Whether a reader's union branch is of the writer's kind: a record, enum or fixed of its name (or an alias), else the same type. */
function sameKind(branch: avro.Type, writer: avro.Type): boolean {
  const b = branch instanceof avro.types.LogicalType ? branch.underlyingType : branch;
  const kind = (t: avro.Type) => t.typeName.replace(/^abstract:/, "");
  if (kind(b) !== kind(writer)) return false;
  if (writer.name === undefined) return true;
  return [b.name!, ...(b.aliases ?? [])].some((n) => unqualified(n) === unqualified(writer.name!));
}

/** Whether avsc resolves `writer` into `reader`. */
function resolves(reader: avro.Type, writer: avro.Type): boolean {
  try {
    reader.createResolver(writer, resolving() as never);
    return true;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return false;
  }
}

/** A type as a message names it: `long`, `record shop.Order`, `long (timestamp-millis)`, `union [null, string]`. */
function described(type: avro.Type): string {
  if (type instanceof avro.types.LogicalType) {
    const { logical, scale } = type as unknown as { logical?: string; scale?: number };
    if (logical === "decimal") return `${described(type.underlyingType)} (decimal, scale ${scale})`;
    return logical === undefined ? described(type.underlyingType) : `${described(type.underlyingType)} (${logical})`;
  }
  const branches = unionTypes(type);
  if (branches !== null) return `union [${branches.map(described).join(", ")}]`;
  const kind = type.typeName.replace(/^abstract:/, "");
  if (type instanceof avro.types.ArrayType) return `array of ${described(type.itemsType)}`;
  if (type instanceof avro.types.MapType) return `map of ${described(type.valuesType)}`;
  return type.name !== undefined ? `${kind} ${type.name}` : kind;
}

/**
 * Why `writer`'s values do not resolve into `reader` (null: avsc's own words say it best): the first field,
 * item or branch that does not, named by its path from the value (`address.zip`, `items[]`, `tags{}`).
 */
function unresolvable(reader: avro.Type, writer: avro.Type, path: string, seen = new Set<string>()): string | null {
  const at = path === "" ? "the value" : `field ${path}`;
  const r = reader instanceof avro.types.LogicalType ? reader.underlyingType : reader;
  const w = writer instanceof avro.types.LogicalType ? writer.underlyingType : writer;
  const writerBranches = unionTypes(w);
  const readerBranches = unionTypes(r);
  if (writerBranches !== null && readerBranches === null) {
    const branch = writerBranches.find((t) => !resolves(reader, t));
    return branch === undefined ? null : `${at}: the writer's ${described(w)} has a branch ${described(branch)}, which the reader's ${described(reader)} cannot read${branch.typeName === "null" ? ` (make the reader's field a union with null)` : ""}`;
  }
  if (writerBranches !== null) {
    // A union into a union: the first of the writer's branches no reader branch reads says why.
    const branch = writerBranches.find((t) => !resolves(reader, t));
    return branch === undefined ? null : unresolvable(reader, branch, path, seen);
  }
  if (readerBranches !== null) {
    // The reader's branch of the writer's kind (a record of its name): why that one does not read it, field and all.
    const like = readerBranches.find((t) => sameKind(t, w));
    const why = like === undefined ? null : unresolvable(like, writer, path, seen);
    return why ?? `${at}: no branch of the reader's ${described(r)} reads the writer's ${described(writer)}`;
  }
  if (r instanceof avro.types.RecordType && w instanceof avro.types.RecordType) {
    // A recursive schema meets its own records again: the field that fails is among those already walked.
    const pair = `${r.name}\u0000${w.name}`;
    if (seen.has(pair)) return null;
    seen.add(pair);
    const aliases = r.aliases ?? [];
    if (w.name !== undefined && ![r.name!, ...aliases].some((n) => unqualified(n) === unqualified(w.name!))) {
      return `${at}: the writer's record ${w.name} is not the reader's ${r.name}${aliases.length ? ` nor one of its aliases (${aliases.join(", ")})` : ""}; add "aliases": ["${w.name}"] to the reader's record`;
    }
    for (const field of r.fields) {
      const inner = path === "" ? field.name : `${path}.${field.name}`;
      const known = [field.name, ...field.aliases];
      const match = w.fields.filter((f) => known.includes(f.name));
      if (match.length > 1) return `field ${inner}: the writer schema has ${match.map((f) => f.name).join(" and ")}, which it and its aliases both name`;
      if (match.length === 0) {
        if (field.defaultValue() !== undefined) continue;
        return `field ${inner}: the writer schema has no field ${field.name}${field.aliases.length ? ` (nor ${field.aliases.join(", ")}, its aliases)` : ""}, and the reader schema gives it no default; add a "default" to the reader's field`;
      }
      if (resolves(field.type, match[0]!.type)) continue;
      const why = unresolvable(field.type, match[0]!.type, inner, seen);
      if (why !== null) return why;
    }
    return null;
  }
  if (r instanceof avro.types.ArrayType && w instanceof avro.types.ArrayType) return unresolvable(r.itemsType, w.itemsType, `${path}[]`, seen);
  if (r instanceof avro.types.MapType && w instanceof avro.types.MapType) return unresolvable(r.valuesType, w.valuesType, `${path}{}`, seen);
  // An enum symbol the reader lacks is refused value by value (`SymbolsEnum`): only a renamed enum does not resolve.
  if (r instanceof avro.types.EnumType && w instanceof avro.types.EnumType) {
    const aliases = r.aliases ?? [];
    return `${at}: the writer's enum ${w.name} is not the reader's ${r.name}${aliases.length ? ` nor one of its aliases (${aliases.join(", ")})` : ""}; add "aliases": ["${w.name}"] to the reader's enum`;
  }
  const coarser = finerWriter(reader, writer);
  if (coarser !== null) return `${at}: the writer's ${described(writer)} ${coarser}, which the reader's ${described(reader)} cannot hold without dropping digits; give the reader's field the writer's ${coarser.startsWith("has scale") ? "scale" : "unit"} (or a finer one)`;
  if (r instanceof avro.types.FixedType && w instanceof avro.types.FixedType && r.size !== w.size) {
    return `${at}: the writer's ${described(w)} holds ${w.size} bytes, and the reader's ${described(r)} ${r.size}`;
  }
  return `${at}: the writer's ${described(writer)} cannot be read as the reader's ${described(reader)} (Avro promotes int to long, float or double, long to float or double, float to double, and reads string and bytes as each other)`;
}

/** How a writer's decimal or time says more digits than the reader's (`has scale 3`, `counts microseconds`); null when it does not. */
function finerWriter(reader: avro.Type, writer: avro.Type): string | null {
  const r = reader as unknown as { logical?: string; scale?: number };
  const w = writer as unknown as { logical?: string; scale?: number };
  if (r.logical === undefined || w.logical === undefined) return null;
  if (r.logical === "decimal" && w.logical === "decimal") return w.scale! > r.scale! ? `has scale ${w.scale}` : null;
  const from = UNIT_DIGITS[w.logical];
  const to = UNIT_DIGITS[r.logical];
  if (from === undefined || to === undefined || from.digits <= to.digits || from.kind !== to.kind) return null;
  return `counts ${from.digits === 9 ? "nanoseconds" : "microseconds"}`;
}

/**
 * The avsc type of a schema (the parsed `.avsc` JSON): its longs exact (bigint past 2^53), its
 * logical types kept for the JSON mapping. Throws avsc's words for a schema that is not Avro.
 */
export function avroType(schema: unknown, references: readonly unknown[] = []): avro.Type {
  const longs = exactLongs();
  const hook = (s: unknown, opts: unknown): avro.Type | undefined => {
    const long = longs(s);
    if (long !== undefined) return long;
    if (typeof s !== "object" || s === null) return undefined;
    const kind = (s as { type?: unknown }).type;
    if (kind === "enum") return new SymbolsEnum(s as avro.Schema, opts);
    return kind === "array" ? new BoundedArray(s as avro.Schema, opts) : kind === "map" ? new BoundedMap(s as avro.Schema, opts) : undefined;
  };
  // The schemas `schema` references (a Schema Registry's references) name their types first, in one registry.
  const options = { wrapUnions: true, logicalTypes: AVRO_LOGICAL_TYPES, typeHook: hook as never, registry: {} };
  for (const reference of references) avro.Type.forSchema(reference as avro.Schema, options);
  return avro.Type.forSchema(schema as avro.Schema, options);
}

/** Items of arrays and maps one value may hold in all when an item takes no bytes (`null`, an empty record). */
export const MAX_EMPTY_ITEMS = 1 << 20;
/** What is left of the value being read's `MAX_EMPTY_ITEMS` (set before each decode). */
let emptyItemsLeft = MAX_EMPTY_ITEMS;

const leastBytes = new WeakMap<avro.Type, number>();

/** `minBytes` of an array's items or a map's values, worked out once per type (avsc's types are frozen). */
function itemBytes(type: avro.Type): number {
  let n = leastBytes.get(type);
  if (n === undefined) leastBytes.set(type, (n = minBytes(type)));
  return n;
}

/** The fewest bytes a value of `type` is written in (0: `null`, a record of such fields, a fixed of size 0). */
function minBytes(type: avro.Type, seen = new Set<avro.Type>()): number {
  if (type instanceof avro.types.LogicalType) return minBytes(type.underlyingType, seen);
  if (type instanceof avro.types.RecordType) {
    if (seen.has(type)) return 0;
    seen.add(type);
    return type.fields.reduce((sum, field) => sum + minBytes(field.type, seen), 0);
  }
  switch (type.typeName) {
    case "null": return 0;
    case "float": return 4;
    case "double": return 8;
    case "fixed": return (type as avro.types.FixedType).size;
    default: return 1;
  }
}

interface Tap { buf: Buffer; pos: number; readLong(): number; skipLong(): void; readString(): string }
type Reads = { _read(tap: Tap): unknown };

/**
 * A block's count of items, checked before they are read: avsc reads that many whatever is left of
 * the value (past its end it reads on), so a 6-byte value declaring 2^31 items took the process
 * down. At most the bytes left over the fewest an item takes; for items that take none,
 * `MAX_EMPTY_ITEMS` in all. 0 when the array or map ends.
 */
function blockCount(tap: Tap, least: number, what: string): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.skipLong();
  }
  const left = tap.buf.length - tap.pos;
  // The end of the array, or a count read past the value's end: a truncated value, which the decode says as such.
  if (n === 0 || left < 0) return 0;
  if (least > 0 ? n * least > left : (emptyItemsLeft -= n) < 0) {
    throw new Error(least > 0 ? `${what} declares a block of ${n} items, and ${Math.max(left, 0)} bytes are left for them (at least ${least} each)` : `${what} declares more than ${MAX_EMPTY_ITEMS} items that take no bytes`);
  }
  return n;
}

/**
 * A resolver avsc makes of a `BoundedArray` or `BoundedMap` reading another schema's values (`this` of
 * their `_read` then): its items are the writer's, so their fewest bytes are counted in the writer's type.
 */
type Resolving = { writerItems?: avro.Type };
type Updates = { _update(resolver: object, type: avro.Type, opts: unknown): void };

/** avsc's array, its block counts checked (`blockCount`). */
class BoundedArray extends avro.types.ArrayType {
  _update(resolver: object, type: avro.Type, opts: unknown): void {
    (avro.types.ArrayType.prototype as unknown as Updates)._update.call(this, resolver, type, opts);
    if (type instanceof avro.types.ArrayType) (resolver as Resolving).writerItems = type.itemsType;
  }
  _read(tap: Tap): unknown[] {
    const items = this.itemsType as unknown as Reads;
    const least = itemBytes((this as Resolving).writerItems ?? this.itemsType);
    const out: unknown[] = [];
    let n: number;
    while ((n = blockCount(tap, least, "an array"))) while (n--) out.push(items._read(tap));
    return out;
  }
}

/** avsc's map, its block counts checked, read into an object without a prototype (a key `__proto__` is a key, as in JSON). */
class BoundedMap extends avro.types.MapType {
  _update(resolver: object, type: avro.Type, opts: unknown): void {
    (avro.types.MapType.prototype as unknown as Updates)._update.call(this, resolver, type, opts);
    if (type instanceof avro.types.MapType) (resolver as Resolving).writerItems = type.valuesType;
  }
  _read(tap: Tap): Record<string, unknown> {
    const values = this.valuesType as unknown as Reads;
    const least = 1 + itemBytes((this as Resolving).writerItems ?? this.valuesType);
    const out = Object.create(null) as Record<string, unknown>;
    let n: number;
    while ((n = blockCount(tap, least, "a map"))) {
      while (n--) {
        const key = tap.readString();
        out[key] = values._read(tap);
      }
    }
    return out;
  }
}

/** A value a writer wrote that the reader schema cannot hold (a symbol its enum lacks): that value is a dead letter, not its writer schema. */
class UnreadableValue extends Error {}

/**
 * avsc's enum, read from a writer's enum of its name whose symbols it lacks and has no default for: as
 * Avro's resolution has it (Java's, fastavro's), the values of the symbols it has read, and a value of
 * another is refused (`UnreadableValue`), not every value of that writer schema.
 */
class SymbolsEnum extends avro.types.EnumType {
  _update(resolver: object, type: avro.Type, opts: unknown): void {
    (avro.types.EnumType.prototype as unknown as Updates)._update.call(this, resolver, type, opts);
    const named = (n: string | undefined) => n !== undefined && unqualified(n) === unqualified(type.name ?? "");
    if ((resolver as { _read?: unknown })._read || !(type instanceof avro.types.EnumType) || !(named(this.name) || (this.aliases ?? []).some(named))) return;
    const symbols = type.symbols.map((symbol) => (this.symbols.includes(symbol) ? symbol : undefined));
    const reader = this;
    Object.assign(resolver, {
      _read(tap: Tap): string {
        const index = tap.readLong();
        const symbol = symbols[index];
        if (symbol !== undefined) return symbol;
        if (type.symbols[index] === undefined) throw new Error(`invalid ${type.name} enum index: ${index}`);
        throw new UnreadableValue(`the writer's symbol ${type.symbols[index]} of enum ${type.name} is not one of the reader's (${reader.symbols.join(", ")}), and the reader's enum has no default to read it as`);
      },
    });
  }
}

/**
 * The reader of a source's Avro values: its schema file's (`avroReader`), or its registry's, where
 * `options` says where the registry URL's variable is read and how it is fetched.
 */
export function valueReader(spec: AvroSpec, source: string, options?: RegistryOptions): ValueReader {
  if (spec.registry === undefined) return avroReader(spec, source);
  const registry = openSchemaRegistry(spec.registry, source, options);
  const into = sourceReaderSchema(spec, source);
  return into === null ? { registry, source } : { registry, source, readerSchema: into };
}

/** The reader of a source's Avro schema file; its schema must have been loaded (`loadAvroSchemas`). */
export function avroReader(spec: AvroSpec, source: string): AvroReader {
  if (spec.registry !== undefined) {
    throw new Error(`avro: source ${source} reads each value with its writer's schema from the Schema Registry at sources.${source}.avro.registry, and this reader takes a schema file (valueReader reads both)`);
  }
  if (spec.definition === undefined || spec.schema === undefined) {
    throw new Error(`avro: source ${source} reads Avro, but its schema ${spec.schema} was not loaded beside the notebook (loadAvroSchemas)`);
  }
  const type = avroType(spec.definition);
  return { type, name: type.name ?? type.typeName, schemaId: spec.schemaId ?? null, framing: spec.schemaId !== undefined ? "confluent" : spec.framing ?? null, source, file: spec.schema };
}

type Decoded = { ok: true; value: unknown } | { ok: false; why: string };

/**
 * One Kafka message value as events: a record is one event, an array one event per element (as a
 * JSON array is), any other value one event the executor refuses as it refuses a JSON scalar. A
 * value that does not decode is one error event whose raw text is its bytes, one character each
 * (Latin-1), and whose reason says where the value stops making sense.
 */
export function decodeAvroValue(bytes: Uint8Array, reader: ValueReader, receivedAt: number, meta?: Meta): SourceEvent[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = buffer.length >= 5 && buffer[0] === 0;
  if (reader.registry !== undefined) return decodeRegistered(buffer, header, reader, receivedAt, meta);
  let decoded: Decoded;
  if (reader.framing === "none") {
    decoded = decodeFrom(buffer, reader.type, 0, reader.into);
  } else if (reader.framing === "confluent") {
    // The notebook names the id its schema file is registered under (or says every value is framed): nothing else is read with it.
    const id = header ? buffer.readUInt32BE(1) : null;
    const says = reader.schemaId !== null ? `sources.${reader.source}.avro.schema_id says every value carries one with id ${reader.schemaId}` : `sources.${reader.source}.avro.framing: confluent says every value carries one`;
    if (id === null) decoded = { ok: false, why: `the value has no Schema Registry header (a zero byte, then the schema id), and ${says}` };
    else if (reader.schemaId !== null && id !== reader.schemaId) decoded = { ok: false, why: `the value's Schema Registry header names schema id ${id}, and sources.${reader.source}.avro.schema_id reads only id ${reader.schemaId} (with ${reader.file}); a value of another schema is not read with it` };
    else decoded = decodeFrom(buffer.subarray(5), reader.type, 5, reader.into);
  } else if (header) {
    // A leading zero byte is Confluent's magic byte, or a bare value starting with a zero (a union's
    // first branch, an int 0): the header is tried first, as production topics carry it.
    const id = buffer.readUInt32BE(1);
    decoded = decodeFrom(buffer.subarray(5), reader.type, 5, reader.into);
    const bare = decodeFrom(buffer, reader.type, 0, reader.into);
    if (!decoded.ok) {
      if (bare.ok) decoded = bare;
      else decoded = { ok: false, why: `${decoded.why} (after the Schema Registry header, schema id ${id}; read as bare Avro without a header it does not decode either)` };
    } else if (bare.ok) {
      // Both readings take every byte: which one the producer meant cannot be told from the value (about 1 in 2,000
      // bare values whose first field is a null union decode after a 5-byte "header" too). A guess wrote wrong events.
      decoded = {
        ok: false,
        why: `it decodes whole both after a Schema Registry header (schema id ${id}) and as bare Avro, so which the producer wrote cannot be told; say it in the notebook: sources.${reader.source}.avro.framing: confluent (or schema_id: <id>) when values carry the header, framing: none when they are bare`,
      };
    }
  } else {
    decoded = decodeFrom(buffer, reader.type, 0, reader.into);
  }
  return events(buffer, decoded, reader.name, receivedAt, meta);
}

/** A value's events: its JSON's, or one error event (`name`: the schema it is not a value of, for the reason). */
function events(buffer: Buffer, decoded: Decoded, name: string | null, receivedAt: number, meta?: Meta): SourceEvent[] {
  if (!decoded.ok) return [{ ok: false, raw: buffer.toString("latin1"), error: `decode: Avro value of ${buffer.length} bytes ${name === null ? "cannot be read" : `is not a ${name}`}: ${decoded.why}`, receivedAt, ...(meta ? { meta } : {}) }];
  const values = Array.isArray(decoded.value) ? decoded.value : [decoded.value];
  return values.map((value) => ({ ok: true as const, value, receivedAt, ...(meta ? { meta } : {}) }));
}

/** A value read with the writer schema its header's id names (`loadWriterSchemas` looked it up). */
function decodeRegistered(buffer: Buffer, header: boolean, reader: RegistryReader, receivedAt: number, meta?: Meta): SourceEvent[] {
  if (!header) {
    return events(buffer, { ok: false, why: `the value has no Schema Registry header (a zero byte, then the schema id), and sources.${reader.source}.avro.registry says every value carries one` }, null, receivedAt, meta);
  }
  const id = buffer.readUInt32BE(1);
  const writer = reader.registry.get(id);
  if (writer === undefined) throw new Error(`avro: schema id ${id} of source ${reader.source} was not looked up before its value was decoded (loadWriterSchemas)`);
  if ("error" in writer) return events(buffer, { ok: false, why: writer.error }, null, receivedAt, meta);
  const into = reader.readerSchema;
  if (into === undefined) return events(buffer, decodeFrom(buffer.subarray(5), writer.type, 5), `${writer.name} (schema id ${id})`, receivedAt, meta);
  // The registry answered: a writer schema that does not resolve into the reader's makes its values dead letters, not an error.
  const resolver = resolveInto(into, writer.type);
  if (typeof resolver === "string") {
    const why = `schema id ${id} (${writer.name}) of the Schema Registry at ${reader.registry.shown} cannot be read as the reader schema ${into.file} (sources.${reader.source}.avro.schema): ${resolver}`;
    return events(buffer, { ok: false, why }, null, receivedAt, meta);
  }
  return events(buffer, decodeFrom(buffer.subarray(5), writer.type, 5, { type: into.type, resolver }), `${writer.name} (schema id ${id})`, receivedAt, meta);
}

/**
 * Looks up in the source's registry the writer schemas of `values` (Kafka message values; null for a
 * tombstone) not known yet, so `decodeAvroValue` reads them all. Nothing to do without a registry.
 * Rejects when the registry cannot be asked (avro-registry.ts `RegistryUnavailable`).
 */
export async function loadWriterSchemas(reader: ValueReader | null, values: Iterable<Uint8Array | null>): Promise<void> {
  if (reader?.registry === undefined) return;
  const ids: number[] = [];
  for (const value of values) {
    if (value !== null && value.length >= 5 && value[0] === 0) ids.push(((value[1]! << 24) >>> 0) + (value[2]! << 16) + (value[3]! << 8) + value[4]!);
  }
  await reader.registry.load(ids);
}

/** The values of a runner's segment (`Segment.values` back to back, `lengths[i]` bytes each, -1 a tombstone). */
export function* segmentValues(values: Uint8Array, lengths: Int32Array): Generator<Uint8Array | null> {
  let at = 0;
  for (const length of lengths) {
    if (length < 0) {
      yield null;
      continue;
    }
    yield values.subarray(at, at + length);
    at += length;
  }
}

/** The JSON value of the whole of `buffer` read as a `type`, or why not; `base` is where `buffer` starts in the message, for byte positions. */
function decodeFrom(buffer: Buffer, type: avro.Type, base: number, into?: { type: avro.Type; resolver: avro.Resolver }): Decoded {
  let read: { value: unknown; offset: number };
  try {
    emptyItemsLeft = MAX_EMPTY_ITEMS;
    // Resolved into a reader schema, the bytes are still the writer's: positions in messages are found with its type.
    read = into === undefined ? type.decode(buffer, 0) : into.type.decode(buffer, 0, into.resolver);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    // A value nested past the stack (a recursive schema) is a RangeError here, and no field is named.
    if (error instanceof RangeError) return { ok: false, why: `the value is nested too deep to read (${error.message})` };
    if (error instanceof UnreadableValue) return { ok: false, why: `it cannot be read as the reader schema: ${error.message}` };
    const at = located(type, buffer);
    return { ok: false, why: `${error.message}${where(at, base)}` };
  }
  if (read.offset < 0) {
    const at = located(type, buffer);
    return { ok: false, why: `the value is truncated: it ends inside ${at.path === "" ? "the value" : `field ${at.path}`}, which starts at byte ${at.pos + base} of ${buffer.length + base}` };
  }
  if (read.offset !== buffer.length) {
    const extra = buffer.length - read.offset;
    return { ok: false, why: `${extra} ${extra === 1 ? "byte follows" : "bytes follow"} the value, which ends at byte ${read.offset + base} of ${buffer.length + base} (written with another schema, or two values in one message?)` };
  }
  try {
    return { ok: true, value: avroJson(into?.type ?? type, read.value) };
  } catch (error) {
    if (!(error instanceof NestingError)) throw error;
    return { ok: false, why: error.message.replace(/^json: /, "") };
  }
}

/** `locate` from the value's start; a value too deep to walk is placed at its start. */
function located(type: avro.Type, buffer: Buffer): { path: string; pos: number } {
  try {
    emptyItemsLeft = MAX_EMPTY_ITEMS;
    return locate(type, buffer, 0, "");
  } catch (error) {
    if (error instanceof RangeError) return { path: "", pos: 0 };
    throw error;
  }
}

function where(at: { path: string; pos: number }, base: number): string {
  return at.path === "" ? ` at byte ${at.pos + base}` : ` in field ${at.path}, which starts at byte ${at.pos + base}`;
}

/**
 * The field of a record (nested records followed) where a value that did not decode stops making
 * sense: the first field that does not decode from where the fields before it end.
 */
function locate(type: avro.Type, buffer: Buffer, pos: number, path: string): { path: string; pos: number } {
  if (!(type instanceof avro.types.RecordType)) return { path, pos };
  for (const field of type.fields) {
    const inner = path === "" ? field.name : `${path}.${field.name}`;
    let read: { offset: number };
    try {
      emptyItemsLeft = MAX_EMPTY_ITEMS;
      read = field.type.decode(buffer, pos);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      return locate(field.type, buffer, pos, inner);
    }
    if (read.offset < 0) return locate(field.type, buffer, pos, inner);
    pos = read.offset;
  }
  return { path, pos };
}
