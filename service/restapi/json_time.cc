#include "service/restapi/json_time.h"

namespace ucgate::restapi::internal {
namespace {

// Howard Hinnant's civil-date algorithms (proleptic Gregorian calendar).
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year =
      (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era = (day_of_era - day_of_era / 1460 +
                               day_of_era / 36524 - day_of_era / 146096) /
                              365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_index = (5 * day_of_year + 2) / 153;
  *day = static_cast<int>(day_of_year - (153 * month_index + 2) / 5 + 1);
  *month =
      static_cast<int>(month_index < 10 ? month_index + 3 : month_index - 9);
  *year = year_of_era + era * 400 + (*month <= 2);
}

bool IsLeapYear(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Writes `value` as exactly `width` decimal digits at `out`.
void PutDigits(uint64_t value, int width, char* out) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Reads exactly `width` digits at text[*pos].
bool TakeDigits(std::string_view text, size_t* pos, int width, int* value) {
  if (text.size() - *pos < static_cast<size_t>(width)) return false;
  int result = 0;
  for (int i = 0; i < width; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *pos += width;
  *value = result;
  return true;
}

bool TakeChar(std::string_view text, size_t* pos, char expected) {
  if (*pos >= text.size() || text[*pos] != expected) return false;
  ++*pos;
  return true;
}

}  // namespace

void AppendTimestamp(int64_t seconds, int32_t nanos, std::string* out) {
  int64_t days = seconds / 86400;
  int64_t second_of_day = seconds % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --days;
  }
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  // "YYYY-MM-DDThh:mm:ss" + ".nnnnnnnnn" + "Z"
  char buffer[32];
  PutDigits(static_cast<uint64_t>(year), 4, buffer);
  buffer[4] = '-';
  PutDigits(month, 2, buffer + 5);
  buffer[7] = '-';
  PutDigits(day, 2, buffer + 8);
  buffer[10] = 'T';
  PutDigits(second_of_day / 3600, 2, buffer + 11);
  buffer[13] = ':';
  PutDigits(second_of_day / 60 % 60, 2, buffer + 14);
  buffer[16] = ':';
  PutDigits(second_of_day % 60, 2, buffer + 17);
  size_t length = 19;
  if (nanos > 0) {
    buffer[length++] = '.';
    if (nanos % 1000 == 0) {
      PutDigits(nanos / 1000, 6, buffer + length);
      length += 6;
    } else {
      PutDigits(nanos, 9, buffer + length);
      length += 9;
    }
  }
  buffer[length++] = 'Z';
  out->append(buffer, length);
}

bool ParseTimestamp(std::string_view text, int64_t* seconds, int32_t* nanos) {
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!TakeDigits(text, &pos, 4, &year) || !TakeChar(text, &pos, '-') ||
      !TakeDigits(text, &pos, 2, &month) || !TakeChar(text, &pos, '-') ||
      !TakeDigits(text, &pos, 2, &day)) {
    return false;
  }
  if (pos >= text.size() ||
      (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return false;
  }
  ++pos;
  if (!TakeDigits(text, &pos, 2, &hour) || !TakeChar(text, &pos, ':') ||
      !TakeDigits(text, &pos, 2, &minute) || !TakeChar(text, &pos, ':') ||
      !TakeDigits(text, &pos, 2, &second)) {
    return false;
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return false;
  }
  int32_t fraction = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) {
        fraction = fraction * 10 + (text[pos] - '0');
      }
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (int i = digits; i < 9; ++i) fraction *= 10;
  }
  int64_t offset_seconds = 0;
  if (pos < text.size()) {
    const char sign = text[pos++];
    if (sign == 'Z' || sign == 'z') {
      // UTC.
    } else if (sign == '+' || sign == '-') {
      int offset_hours, offset_minutes = 0;
      if (!TakeDigits(text, &pos, 2, &offset_hours)) return false;
      if (pos < text.size()) {
        TakeChar(text, &pos, ':');
        if (!TakeDigits(text, &pos, 2, &offset_minutes)) return false;
      }
      if (offset_hours > 23 || offset_minutes > 59) return false;
      offset_seconds = (offset_hours * 60 + offset_minutes) * 60;
      if (sign == '-') offset_seconds = -offset_seconds;
    } else {
      return false;
    }
  }
  if (pos != text.size()) return false;
  const int64_t result = DaysFromCivil(year, month, day) * 86400 + hour * 3600 +
                         minute * 60 + second - offset_seconds;
  // google.protobuf.Timestamp's range: 0001-01-01T00:00:00Z..9999-12-31.
  if (result < -62135596800 || result > 253402300799) return false;
  *seconds = result;
  *nanos = fraction;
  return true;
}

}  // namespace ucgate::restapi::internal
