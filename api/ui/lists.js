// A list view's table: its headings, an empty body the view fills, and a "More" button the
// view shows while there is a next page. data-testid: `${name}-table`, `${name}-more`.

export function listSection(name, headings) {
  return `<section>
      <table data-testid="${name}-table">
        <thead><tr>${headings.map((h) => `<th>${h}</th>`).join("")}</tr></thead>
        <tbody></tbody>
      </table>
      <button data-testid="${name}-more" hidden>More</button>
    </section>`;
}
