import {
  checkExtensionValue,
  EXTENSION_NAME_RULE,
  isCoreAttributeName,
  isExtensionName,
} from './attribute-rules';
import { invalidValueIssue, makeIssue, quoteName } from './issue';
import {
  isJsonObject,
  isPresent,
  ownValue,
  type JsonObject,
} from './json-object';
import type { ExtensionValue, SignalIssue } from './signal';

/** Key of the nested extensions object that Jido.Signal sends. */
const NESTED_EXTENSIONS_KEY = 'extensions';

/**
 * Collects the extension attributes of a signal: every top-level attribute
 * that is not a core attribute, plus the entries of a nested `extensions`
 * object. Pushes an issue for each invalid name, invalid value or clash.
 */
export function collectExtensions(
  input: JsonObject,
  issues: SignalIssue[],
): Record<string, ExtensionValue> {
  const extensions: Record<string, ExtensionValue> = {};
  for (const [name, value] of Object.entries(input)) {
    if (isCoreAttributeName(name) || name === NESTED_EXTENSIONS_KEY) continue;
    addExtension(extensions, name, quoteName(name), value, issues);
  }

  addNestedExtensions(input, extensions, issues);
  return extensions;
}

function addNestedExtensions(
  input: JsonObject,
  extensions: Record<string, ExtensionValue>,
  issues: SignalIssue[],
): void {
  const nested = ownValue(input, NESTED_EXTENSIONS_KEY);
  if (!isPresent(nested)) return;
  if (!isJsonObject(nested)) {
    const reason = 'must be an object of extension attributes';
    issues.push(invalidValueIssue(NESTED_EXTENSIONS_KEY, reason, nested));
    return;
  }

  for (const [name, value] of Object.entries(nested)) {
    const path = `${NESTED_EXTENSIONS_KEY}.${quoteName(name)}`;
    if (isPresent(value) && isTakenName(input, name)) {
      issues.push(clashIssue(path, name));
      continue;
    }
    addExtension(extensions, name, path, value, issues);
  }
}

// A nested entry may not replace a core attribute or a top-level extension.
function isTakenName(input: JsonObject, name: string): boolean {
  if (isCoreAttributeName(name) || name === NESTED_EXTENSIONS_KEY) return true;
  return isPresent(ownValue(input, name));
}

function addExtension(
  extensions: Record<string, ExtensionValue>,
  name: string,
  path: string,
  value: unknown,
  issues: SignalIssue[],
): void {
  if (!isPresent(value)) return;
  if (!isExtensionName(name)) {
    issues.push(invalidNameIssue(path));
    return;
  }

  const checked = checkExtensionValue(value);
  if (checked.ok) extensions[name] = checked.value;
  else issues.push(invalidValueIssue(path, checked.reason, value));
}

function invalidNameIssue(path: string): SignalIssue {
  const message = `${path} is not a valid extension attribute name, because extension names ${EXTENSION_NAME_RULE}.`;
  return makeIssue(path, message);
}

function clashIssue(path: string, name: string): SignalIssue {
  const message = `${path} clashes with the top-level attribute ${quoteName(name)}. Set it in one place only.`;
  return makeIssue(path, message);
}
