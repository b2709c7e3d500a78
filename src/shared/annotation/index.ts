/** The annotation document model (see types.ts for the coordinate convention). */
export * from './types';
export * from './edits';
export * from './model';
export * from './validate';
export * from './result';
export * from './ringEdit';
export * from './attributes';
export * from './review';
export * from './reviewEdit';
