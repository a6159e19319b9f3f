// The queue rules, pure: see commands.ts (decide), state.ts (apply), routing.ts.
export * from './commands.ts';
export * from './routing.ts';
export * from './state.ts';
export * from './time.ts';
export * from './views.ts';
