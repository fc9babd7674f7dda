/**
 * The board's state kept in the page: columns of cards by stage, with their counts and totals per currency.
 *
 * The API keeps the real counters on write; after a move or a create the page adjusts its copy the same way
 * (one card out of a column, one in), so headers stay right without reloading every column.
 */

const DECIMAL = /^-?\d+(\.\d+)?$/;

function scaleOf(value) {
  return (String(value).split(".")[1] ?? "").length;
}

function scaled(value, scale) {
  const [whole, fraction = ""] = String(value).split(".");
  const negative = whole.startsWith("-");
  const digits = BigInt(`${negative ? whole.slice(1) : whole}${fraction.padEnd(scale, "0")}`);
  return negative ? -digits : digits;
}

/** a + sign * b for decimal strings, exactly (no float rounding in money); numbers are accepted too. */
export function addDecimal(a, b, sign = 1) {
  const [left, right] = [String(a ?? "0"), String(b ?? "0")];
  if (!DECIMAL.test(left) || !DECIMAL.test(right)) return String(Number(left) + sign * Number(right));
  const scale = Math.max(scaleOf(left), scaleOf(right));
  const sum = scaled(left, scale) + BigInt(sign) * scaled(right, scale);
  const digits = (sum < 0n ? -sum : sum).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return sum < 0n ? `-${text}` : text;
}

/** Newest activity first, as the API's index sorts "<last_activity_at>#<deal_id>" descending. */
function sortKey(card) {
  return `${card.last_activity_at ?? ""}#${card.deal_id}`;
}

export class Column {
  constructor({stage_id, count = 0, amounts = {}, cards = [], next_cursor = null}) {
    this.stageId = stage_id;
    this.count = count;
    this.amounts = {...amounts};
    this.cards = [...cards];
    this.nextCursor = next_cursor;
  }

  /** Appends the next page, skipping cards the page already shows (a card moved in meanwhile). */
  appendPage({cards = [], next_cursor = null, count, amounts}) {
    const shown = new Set(this.cards.map((card) => card.deal_id));
    this.cards.push(...cards.filter((card) => !shown.has(card.deal_id)));
    this.nextCursor = next_cursor;
    if (count !== undefined) this.count = count;
    if (amounts) this.amounts = {...amounts};
  }

  has(dealId) {
    return this.cards.some((card) => card.deal_id === dealId);
  }

  /** Takes a card out of the list, one off the count and its amount off the totals. */
  remove(card) {
    this.cards = this.cards.filter((shown) => shown.deal_id !== card.deal_id);
    this.count = Math.max(0, this.count - 1);
    this.tally(card, -1);
  }

  /** Adds a card to the totals and, when it sorts into the loaded pages, to the list. */
  add(card) {
    this.count += 1;
    this.tally(card, 1);
    const key = sortKey(card);
    const index = this.cards.findIndex((shown) => sortKey(shown) < key);
    if (index >= 0) this.cards.splice(index, 0, card);
    else if (!this.nextCursor) this.cards.push(card);
    // else it belongs on a page not loaded yet: "load more" brings it
  }

  tally(card, sign) {
    if (card.amount === null || card.amount === undefined || !card.currency) return;
    const total = addDecimal(this.amounts[card.currency] ?? "0", card.amount, sign);
    if (Number(total) === 0) delete this.amounts[card.currency];
    else this.amounts[card.currency] = total;
  }
}
