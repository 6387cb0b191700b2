import ts from 'typescript';
import { isObject } from './merge';

/**
 * Finds fields that are not part of a Kubernetes object's schema (`imagee:`, a misplaced
 * `resources:`). The validators of kubernetes-models accept unknown fields, and so would a
 * cluster apply without `--validate=strict`; the models' type declarations do know every field, so
 * we walk each object against them with the TypeScript checker.
 */
export class StrictFieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly rootTypes = new Map<string, ts.Type>();

  /** `models`: the module (or a .ts file of our own, for a CRD without a published model) of each kind, e.g. `Deployment: 'kubernetes-models/apps/v1/Deployment'`. */
  constructor(models: Record<string, string>) {
    const declarationFiles = Object.fromEntries(
      Object.entries(models).map(([kind, module]) => [kind, declarationFile(module)]),
    );
    const program = ts.createProgram(Object.values(declarationFiles), { noEmit: true, strict: true, skipLibCheck: true, types: [] });
    this.checker = program.getTypeChecker();
    for (const [kind, file] of Object.entries(declarationFiles)) {
      const source = program.getSourceFile(file);
      const moduleSymbol = source && this.checker.getSymbolAtLocation(source);
      const exported = moduleSymbol && this.checker.getExportsOfModule(moduleSymbol).find((symbol) => symbol.name === `I${kind}`);
      if (!exported) throw new Error(`${file} does not export I${kind}`);
      this.rootTypes.set(kind, this.checker.getDeclaredTypeOfSymbol(exported));
    }
  }

  /** Paths of every field of `object` its kind's schema does not have. */
  unknownFields(object: { kind: string }): string[] {
    const rootType = this.rootTypes.get(object.kind);
    if (!rootType) return [`kind ${object.kind} is not in the allow-list of kinds`];
    const problems: string[] = [];
    this.walk(object, rootType, '', problems);
    return problems;
  }

  private walk(value: unknown, type: ts.Type, at: string, problems: string[]): void {
    if (Array.isArray(value)) {
      const element = this.constituents(type).find((t) => this.checker.isArrayType(t));
      const elementType = element && this.checker.getTypeArguments(element as ts.TypeReference)[0];
      if (elementType) value.forEach((item, index) => this.walk(item, elementType, `${at}[${index}]`, problems));
      return;
    }
    if (!isObject(value)) return;
    const objectType = this.constituents(type).find((t) => t.flags & ts.TypeFlags.Object && !this.checker.isArrayType(t));
    // A primitive where an object was found is a type error, which the schema validation reports.
    if (!objectType) return;
    const index = this.checker.getIndexInfoOfType(objectType, ts.IndexKind.String);
    for (const [key, child] of Object.entries(value)) {
      const property = objectType.getProperty(key);
      const childAt = `${at}.${key}`;
      if (property) this.walk(child, this.checker.getNonNullableType(this.checker.getTypeOfSymbol(property)), childAt, problems);
      else if (index) this.walk(child, index.type, childAt, problems);
      else problems.push(`${childAt}: unknown field`);
    }
  }

  private constituents(type: ts.Type): ts.Type[] {
    const nonNull = this.checker.getNonNullableType(type);
    return nonNull.isUnion() ? nonNull.types : [nonNull];
  }
}

/** A published model's type declarations beside its JavaScript; a TypeScript file of ours as it is. */
const declarationFile = (module: string): string => {
  const resolved = require.resolve(module);
  return resolved.endsWith('.ts') ? resolved : resolved.replace(/\.js$/, '.d.ts');
};
