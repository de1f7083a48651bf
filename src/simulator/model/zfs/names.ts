// ZFS dataset / snapshot name rules (component charset and the 255-byte full-name limit).
import { errors } from '../../api/errors';

const COMPONENT = /^[A-Za-z0-9_\-.:]+$/;
const MAX_FULL_NAME = 255;

export function validateComponent(kind: 'volume' | 'snapshot', fullName: string, component: unknown): string {
  if (typeof component !== 'string' || component === '') throw errors.validation(`Missing ${kind} name.`);
  if (!COMPONENT.test(component) || component === '.' || component === '..') {
    throw errors.validation(`Invalid ${kind} name '${component}': allowed characters are letters, digits, '_', '-', '.', ':'.`);
  }
  if (fullName.length > MAX_FULL_NAME) throw errors.validation(`Name '${fullName}' is too long (max ${MAX_FULL_NAME} characters).`);
  return component;
}
