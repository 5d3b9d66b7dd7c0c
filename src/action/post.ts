import { actionFactories } from './factories.js';
import { runPost } from './post-run.js';

await runPost(process.env, actionFactories(process.env));
