/**
 * Finds constructs of a type inside a stack of the application plane. The operations stacks
 * (observability, cost) watch what the API and workers stacks built without depending on
 * how those stacks name their fields: an absent stack yields nothing, a new function or
 * service is picked up as soon as it exists.
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export function constructsOf<T extends IConstruct>(
  stack: unknown,
  type: abstract new (...args: never[]) => T,
): T[] {
  if (!(stack instanceof Stack)) return [];
  return stack.node.findAll().filter((c): c is T => c instanceof type);
}
