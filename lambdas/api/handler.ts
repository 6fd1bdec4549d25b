/**
 * The API function behind API Gateway (REST, proxy integration): the same route table and
 * middy pipeline the local platform serves. The authorizer function runs first and passes
 * the principal in `requestContext.authorizer`. Services are composed once per execution
 * environment, on the first request, and reused while the environment is warm.
 */
import { createApiHandler } from '../../lib/http/lambda.js';
import { routes } from '../../lib/http/routes/index.js';
import { services } from './services.js';

export const handler = createApiHandler(routes, services);
