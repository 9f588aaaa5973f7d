/** The CML knowledge base: every biological and clinical number with its source and evidence tag. */
export { formatIssue, KnowledgeError, type KnowledgeIssue } from './errors.js';
export { defaultKnowledgeDir, type KnowledgeBase, loadKnowledgeBase, type Origin } from './load.js';
export * from './query.js';
export { Evidence, Parameter, Quantity, Reference } from './schema/common.js';
export { KnowledgeFile } from './schema/file.js';
