// Types of the `cookie` package (0.7, which Express 5 depends on and ships without types): the one function used.
declare module 'cookie' {
  export function parse(header: string, options?: { decode?: (value: string) => string }): Record<string, string | undefined>;
}
