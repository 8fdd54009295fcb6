/**
 * The values of the first DATA section of h5dump output (a .ddl file), in
 * row-major order: `(i,j): v, v, ...` lines with their index prefixes dropped.
 */
export function ddlDataValues(ddl: string): number[] {
  const start = ddl.indexOf('DATA {');
  if (start < 0) throw new Error('no DATA section in the h5dump output');
  const body = ddl.slice(start + 'DATA {'.length);
  const end = body.search(/\n\s*}/);
  return body
    .slice(0, end)
    .replace(/\([\d,]+\):/g, '')
    .split(',')
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .map((text) => {
      const value = Number(text);
      if (Number.isNaN(value) && text !== 'nan') throw new Error(`not a number in DATA: ${text}`);
      return value;
    });
}

/** The dataset's shape from the DATASPACE line of h5dump output. */
export function ddlShape(ddl: string): number[] {
  const match = /DATASPACE\s+SIMPLE\s+\{\s*\(\s*([\d,\s]+)\)/.exec(ddl);
  if (!match) throw new Error('no simple DATASPACE in the h5dump output');
  return match[1].split(',').map((n) => Number(n.trim()));
}
